using System.Globalization;
using System.Text;
using Canary.Analyzer.Alerts;

namespace Canary.Analyzer.Metrics;

/// <summary>
/// Writes <see cref="AnalyzerMetrics"/> (and the alert counters) in the Prometheus text exposition format 0.0.4, by
/// hand: fixed names, no reflection. Gauges that have no value yet (no run, no push) are left out rather than sent as NaN.
/// </summary>
internal static class MetricsExposition
{
    public const string ContentType = "text/plain; version=0.0.4; charset=utf-8";

    public static string Write(AnalyzerMetrics metrics, AlertNotifier? alerts)
    {
        ArgumentNullException.ThrowIfNull(metrics);
        var text = new StringBuilder(2048);
        Header(text, "canary_analyzer_runs_total", "counter", "Analyzer looks at every running rollout, by result.");
        Sample(text, "canary_analyzer_runs_total{result=\"ok\"}", metrics.RunsSucceeded);
        Sample(text, "canary_analyzer_runs_total{result=\"failed\"}", metrics.RunsFailed);

        Header(text, "canary_analyzer_decisions_total", "counter", "Decision records written, by verdict.");
        for (var i = 0; i < AnalyzerMetrics.Verdicts.Length; i++)
        {
            Sample(text, "canary_analyzer_decisions_total{verdict=\"" + AnalyzerMetrics.Verdicts[i] + "\"}", metrics.Decisions(i));
        }

        Header(text, "canary_analyzer_pushes_total", "counter", "Pushes of a new desired table to the sidecars.");
        Sample(text, "canary_analyzer_pushes_total", metrics.Pushes);
        Header(text, "canary_analyzer_push_failures_total", "counter", "Sidecars that did not acknowledge a push.");
        Sample(text, "canary_analyzer_push_failures_total", metrics.PushFailures);

        Header(text, "canary_analyzer_mesh_weight_patches_total", "counter", "VirtualServices patched in mesh-weight mode.");
        Sample(text, "canary_analyzer_mesh_weight_patches_total", metrics.MeshPatches);
        Header(text, "canary_analyzer_mesh_weight_failures_total", "counter", "VirtualServices mesh-weight mode could not set (read or patch failed; retried next run).");
        Sample(text, "canary_analyzer_mesh_weight_failures_total", metrics.MeshFailures);

        Gauge(text, "canary_analyzer_last_decision_to_ack_seconds", "Time from the last pushed decision to its last sidecar acknowledgement.", metrics.LastDecisionToAckSeconds);
        Gauge(text, "canary_analyzer_last_run_timestamp_seconds", "Unix time the last run finished (successful or not).", metrics.LastRunTimestampSeconds);
        Gauge(text, "canary_analyzer_last_run_duration_seconds", "Duration of the last run.", metrics.LastRunDurationSeconds);

        Header(text, "canary_analyzer_alert_deliveries_total", "counter", "Alerts delivered, per event and webhook.");
        Sample(text, "canary_analyzer_alert_deliveries_total", alerts?.Delivered ?? 0);
        Header(text, "canary_analyzer_alert_failures_total", "counter", "Alerts not delivered: abandoned after the last attempt, dropped from a full queue, or not recorded.");
        Sample(text, "canary_analyzer_alert_failures_total", (alerts?.Failed ?? 0) + (alerts?.ClaimFailures ?? 0));
        return text.ToString();
    }

    private static void Header(StringBuilder text, string name, string type, string help) =>
        text.Append("# HELP ").Append(name).Append(' ').Append(help).Append('\n')
            .Append("# TYPE ").Append(name).Append(' ').Append(type).Append('\n');

    private static void Sample(StringBuilder text, string series, long value) =>
        text.Append(series).Append(' ').Append(value.ToString(CultureInfo.InvariantCulture)).Append('\n');

    private static void Gauge(StringBuilder text, string name, string help, double value)
    {
        Header(text, name, "gauge", help);
        if (!double.IsNaN(value))
        {
            text.Append(name).Append(' ').Append(value.ToString("R", CultureInfo.InvariantCulture)).Append('\n');
        }
    }
}
