using System.Globalization;
using Canary.Demo.Analysis;

namespace Canary.Demo.LiveView;

/// <summary>
/// Formats the live view as plain text lines (no escape codes, so a dumb terminal and a log file get the same text),
/// and the one-line summary the append-only mode prints every few seconds.
/// </summary>
internal static class LiveViewRenderer
{
    public const int MaxDecisionLines = 8;

    public static IReadOnlyList<string> Render(ViewState state, int width = 120)
    {
        ArgumentNullException.ThrowIfNull(state);
        var lines = new List<string>
        {
            Text($"{state.Title}   elapsed {Seconds(state.Elapsed)} (limit {Seconds(state.TimeLimit)})"),
            Text($"rollout {state.Rollout}   {Stage(state)}   canary weight {state.WeightPercent:0.##} %   in stage {Seconds(state.InStage)}   status: {state.Status}"),
            Text($"traffic: {state.OfferedPerSecond:0} req/s offered, {state.CompletedPerSecond:0} done/s, sidecar routed {state.RoutedCanaryShare * 100:0.0} % to canary (last second), in flight {state.InFlight}, ext_proc failures {state.SidecarFailures}"),
            "",
            Text($"{"arm",-8}{"requests",10}{"errors",9}{"refusals",10}{"p95 latency",13}{"p95 TTFT",10}{"out tokens",12}{"cost/1k req",13}"),
            Arm("stable", state.Stable),
            Arm("canary", state.Canary),
            "(this stage, from the sidecar's telemetry in PostgreSQL)",
            "",
            Text($"decisions (canary-analyzer run-once every {Seconds(state.AnalyzeEvery)}):"),
        };
        for (var i = 0; i < lines.Count; i++)
        {
            lines[i] = Fit(lines[i], width);
        }

        // Reasons are the point of the view: they wrap instead of being cut.
        var first = Math.Max(0, state.Decisions.Count - MaxDecisionLines);
        for (var i = first; i < state.Decisions.Count; i++)
        {
            Wrap(lines, Decision(state.Decisions[i]), width);
        }

        if (state.Decisions.Count == 0)
        {
            lines.Add("  (none yet)");
        }

        if (state.Holding is not null)
        {
            Wrap(lines, "  now: " + state.Holding, width);
        }

        return lines;
    }

    private static void Wrap(List<string> lines, string text, int width)
    {
        const string Indent = "        ";
        var rest = text.AsSpan();
        var prefix = "";
        while (prefix.Length + rest.Length > width)
        {
            var room = Math.Max(1, width - prefix.Length);
            var cut = rest[..room].LastIndexOf(' ');
            cut = cut <= 0 ? room : cut;
            lines.Add(string.Concat(prefix, rest[..cut].TrimEnd()));
            rest = rest[cut..].TrimStart();
            prefix = Indent;
        }

        lines.Add(string.Concat(prefix, rest));
    }

    /// <summary>One line for terminals that cannot redraw: time, stage, weight and both arms' key figures.</summary>
    public static string Summary(ViewState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        return Text($"[{Seconds(state.Elapsed),5}] {Stage(state)} weight {state.WeightPercent:0.##} % | routed to canary {state.RoutedCanaryShare * 100:0.0} % | ")
            + Brief("stable", state.Stable) + " | " + Brief("canary", state.Canary);
    }

    public static string Decision(DecisionLine decision)
    {
        ArgumentNullException.ThrowIfNull(decision);
        return Text($"  {decision.At:HH:mm:ss}  {decision.Action,-10} {decision.FromPercent,3:0.##}% -> {decision.ToPercent:0.##}%  {decision.Reason}");
    }

    private static string Arm(string name, ArmStats arm) => Text(
        $"{name,-8}{arm.Requests,10}{Percent(arm.ErrorRate),9}{Percent(arm.RefusalRate),10}{arm.P95LatencyMs,10:0} ms{arm.P95TimeToFirstTokenMs,7:0} ms{arm.MeanOutputTokens,12:0.0}{"$" + (arm.MeanCostMicroUsd / 1000).ToString("0.000", CultureInfo.InvariantCulture),13}");

    private static string Brief(string name, ArmStats arm) =>
        Text($"{name} {arm.Requests} req, {Percent(arm.ErrorRate).Trim()} err, p95 {arm.P95LatencyMs:0} ms");

    private static string Stage(ViewState state) =>
        state.StageIndex < 0 ? "stage -" : Text($"stage {state.StageIndex + 1}/{state.StagePercents.Count}");

    private static string Percent(double fraction) => Text($"{fraction * 100,7:0.0} %");

    private static string Seconds(TimeSpan span) => Text($"{span.TotalSeconds:0}s");

    private static string Fit(string line, int width) => line.Length <= width ? line : string.Concat(line.AsSpan(0, Math.Max(0, width - 1)), "…");

    private static string Text(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
