using System.Globalization;

namespace Canary.Analyzer.Preflight;

/// <summary>
/// Judges the canary against stable on the gates. Any case without an answer, on either version, makes the verdict
/// incomplete: a preflight that did not see everything never passes. Otherwise any failed gate fails it.
/// </summary>
internal static class PreflightEvaluator
{
    public static PreflightReport Evaluate(
        string rollout, string testSet, string sha256, DateTimeOffset startedAt, DateTimeOffset finishedAt,
        ModelEndpoint stableEndpoint, ModelEndpoint canaryEndpoint, CaseResult[] stableResults, CaseResult[] canaryResults, PreflightGates gates)
    {
        var stable = VersionSummary.From("stable", stableEndpoint.Subset, stableResults);
        var canary = VersionSummary.From("canary", canaryEndpoint.Subset, canaryResults);
        var results = Gates(stable, canary, gates);
        var (verdict, reason) = Verdict(stable, canary, stableResults, canaryResults, results);
        return new PreflightReport
        {
            Rollout = rollout,
            TestSet = testSet,
            TestSetSha256 = sha256,
            StartedAt = startedAt,
            FinishedAt = finishedAt,
            Stable = stable,
            Canary = canary,
            StableResults = stableResults,
            CanaryResults = canaryResults,
            Gates = results,
            Verdict = verdict,
            Reason = reason,
            StableEndpoint = stableEndpoint,
            CanaryEndpoint = canaryEndpoint,
        };
    }

    private static List<GateResult> Gates(VersionSummary stable, VersionSummary canary, PreflightGates gates)
    {
        var results = new List<GateResult>();
        if (gates.RequireMustPass)
        {
            results.Add(canary.MustPassFailed.Count == 0
                ? new GateResult("must-pass", GateStatus.Pass, "every answered must-pass case passed on the canary")
                : new GateResult("must-pass", GateStatus.Fail, $"must-pass case(s) failed on the canary: {string.Join(", ", canary.MustPassFailed)}"));
        }

        var passFloor = stable.PassRate - gates.PassRateMargin;
        results.Add(new GateResult(
            "pass-rate",
            canary.PassRate >= passFloor - 1e-12 ? GateStatus.Pass : GateStatus.Fail,
            $"canary {Percent(canary.PassRate)} vs stable {Percent(stable.PassRate)} (floor {Percent(Math.Max(0, passFloor))}, margin {Points(gates.PassRateMargin)})"));

        if (stable.LatencyP95 is { } stableP95 && canary.LatencyP95 is { } canaryP95)
        {
            var byRatio = stableP95 * (1 + gates.LatencyP95Increase);
            var bySlack = stableP95 + gates.LatencyP95Slack;
            var ceiling = byRatio >= bySlack ? byRatio : bySlack;
            var rule = byRatio >= bySlack ? $"+{Percent(gates.LatencyP95Increase)}" : $"+{Ms(gates.LatencyP95Slack)} slack";
            results.Add(new GateResult(
                "latency-p95",
                canaryP95 <= ceiling ? GateStatus.Pass : GateStatus.Fail,
                $"canary {Ms(canaryP95)} vs stable {Ms(stableP95)} (ceiling {Ms(ceiling)}, {rule})"));
        }
        else
        {
            results.Add(new GateResult("latency-p95", GateStatus.Skipped, "no answered request on one version"));
        }

        if (stable.MeanCost is { } stableCost && canary.MeanCost is { } canaryCost)
        {
            var ceiling = stableCost * (1 + gates.CostIncrease);
            results.Add(new GateResult(
                "cost",
                canaryCost <= ceiling + 1e-15 ? GateStatus.Pass : GateStatus.Fail,
                $"canary {Dollars(canaryCost)} vs stable {Dollars(stableCost)} per request (ceiling {Dollars(ceiling)}, +{Percent(gates.CostIncrease)})"));
        }
        else
        {
            results.Add(new GateResult("cost", GateStatus.Skipped, "not priced (give --stable-price and --canary-price) or no token counts reported"));
        }

        var refusalCeiling = stable.RefusalRate + gates.RefusalMargin;
        results.Add(new GateResult(
            "refusal-rate",
            canary.RefusalRate <= refusalCeiling + 1e-12 ? GateStatus.Pass : GateStatus.Fail,
            $"canary {Percent(canary.RefusalRate)} vs stable {Percent(stable.RefusalRate)} (ceiling {Percent(Math.Min(1, refusalCeiling))}, margin {Points(gates.RefusalMargin)})"));
        return results;
    }

    private static (PreflightVerdict, string) Verdict(
        VersionSummary stable, VersionSummary canary, CaseResult[] stableResults, CaseResult[] canaryResults, List<GateResult> gates)
    {
        if (stable.Cases == 0)
        {
            return (PreflightVerdict.Incomplete, "the test set has no cases");
        }

        if (stable.Completed < stable.Cases || canary.Completed < canary.Cases)
        {
            var missing = new List<string>();
            Describe("stable", stableResults, missing);
            Describe("canary", canaryResults, missing);
            return (PreflightVerdict.Incomplete,
                $"answers missing (stable {stable.Completed}/{stable.Cases}, canary {canary.Completed}/{canary.Cases}): {string.Join("; ", missing)}");
        }

        var failed = gates.FindAll(g => g.Status == GateStatus.Fail);
        return failed.Count == 0
            ? (PreflightVerdict.Pass, $"every gate passed on {canary.Cases} case(s)")
            : (PreflightVerdict.Fail, string.Join("; ", failed.ConvertAll(g => $"{g.Name}: {g.Detail}")));
    }

    /// <summary>Groups the unanswered cases of one version by failure kind, e.g. "canary: 3 timeout (first: greet)".</summary>
    private static void Describe(string arm, CaseResult[] results, List<string> into)
    {
        var byKind = new SortedDictionary<CallFailureKind, (int Count, string First, string Message)>();
        foreach (var result in results)
        {
            if (result.Call.Failure is { } kind)
            {
                byKind[kind] = byKind.TryGetValue(kind, out var seen)
                    ? (seen.Count + 1, seen.First, seen.Message)
                    : (1, result.Case.Id, result.Call.FailureMessage ?? "");
            }
        }

        foreach (var (kind, (count, first, message)) in byKind)
        {
            into.Add($"{arm}: {count} {KindName(kind)} (first: {first}: {message})");
        }
    }

    public static string KindName(CallFailureKind kind) => kind switch
    {
        CallFailureKind.Timeout => "timeout",
        CallFailureKind.Unreachable => "unreachable",
        CallFailureKind.Unauthorized => "unauthorized",
        CallFailureKind.RateLimited => "rate-limited",
        CallFailureKind.ServerError => "server-error",
        CallFailureKind.ClientError => "client-error",
        _ => "malformed",
    };

    internal static string Percent(double value) => (value * 100).ToString("0.#", CultureInfo.InvariantCulture) + "%";

    internal static string Points(double value) => (value * 100).ToString("0.#", CultureInfo.InvariantCulture) + " points";

    internal static string Ms(TimeSpan value) => value.TotalMilliseconds.ToString("0", CultureInfo.InvariantCulture) + " ms";

    internal static string Dollars(double value) => "$" + value.ToString("0.000000", CultureInfo.InvariantCulture);
}
