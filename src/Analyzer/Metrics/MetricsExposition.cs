using Canary.Analyzer.Alerts;
using Canary.Contracts.Metrics;

namespace Canary.Analyzer.Metrics;

/// <summary>
/// Writes <see cref="AnalyzerMetrics"/> (and the alert counters) in the Prometheus text exposition format with the
/// shared <see cref="PrometheusTextWriter"/>: fixed names, no reflection. Gauges that have no value yet (no run, no push)
/// are announced without a sample rather than sent as NaN.
/// </summary>
internal static class MetricsExposition
{
    public const string ContentType = PrometheusTextWriter.ContentType;

    public static string Write(AnalyzerMetrics metrics, AlertNotifier? alerts)
    {
        ArgumentNullException.ThrowIfNull(metrics);
        var text = new PrometheusTextWriter();
        const string Runs = "canary_analyzer_runs_total";
        const string RunsHelp = "Analyzer looks at every running rollout, by result.";
        text.Metric(Runs, "counter", RunsHelp, metrics.RunsSucceeded, ("result", "ok"));
        text.Metric(Runs, "counter", RunsHelp, metrics.RunsFailed, ("result", "failed"));

        for (var i = 0; i < AnalyzerMetrics.Verdicts.Length; i++)
        {
            text.Metric("canary_analyzer_decisions_total", "counter", "Decision records written, by verdict.", metrics.Decisions(i),
                ("verdict", AnalyzerMetrics.Verdicts[i]));
        }

        text.Metric("canary_analyzer_pushes_total", "counter", "Pushes of a new desired table to the sidecars.", metrics.Pushes);
        text.Metric("canary_analyzer_push_failures_total", "counter", "Sidecars that did not acknowledge a push.", metrics.PushFailures);

        text.Metric("canary_analyzer_mesh_weight_patches_total", "counter", "VirtualServices patched in mesh-weight mode.", metrics.MeshPatches);
        text.Metric("canary_analyzer_mesh_weight_failures_total", "counter",
            "VirtualServices mesh-weight mode could not set (read or patch failed; retried next run).", metrics.MeshFailures);

        const string Judgements = "canary_analyzer_judgements_total";
        const string JudgementsHelp = "Quality samples the judge model was asked about, by outcome (failed: no answer after the call's retries).";
        text.Metric(Judgements, "counter", JudgementsHelp, metrics.Judged, ("outcome", "judged"));
        text.Metric(Judgements, "counter", JudgementsHelp, metrics.JudgedUnparseable, ("outcome", "unparseable"));
        text.Metric(Judgements, "counter", JudgementsHelp, metrics.JudgeFailures, ("outcome", "failed"));
        for (var i = 0; i < AnalyzerMetrics.PairOutcomes.Length; i++)
        {
            text.Metric("canary_analyzer_pairs_total", "counter",
                "Paired comparisons stored, by outcome (other_failed: the other version gave no answer; failed: the judge gave none, retried later).",
                metrics.Pairs(i), ("outcome", AnalyzerMetrics.PairOutcomes[i]));
        }

        for (var i = 0; i < AnalyzerMetrics.PairResults.Length; i++)
        {
            text.Metric("canary_analyzer_pair_results_total", "counter",
                "Decided paired comparisons by the canary's result (win or loss only when both orders agree).",
                metrics.PairResultCount(i), ("result", AnalyzerMetrics.PairResults[i]));
        }

        text.Metric("canary_analyzer_judging_pass_failures_total", "counter", "Judging passes that could not run (the run's analysis went on).", metrics.JudgingPassFailures);
        Gauge(text, "canary_analyzer_judge_spend_today_usd", "What the judge model has cost this UTC day, at the last judging pass.", metrics.JudgeSpendTodayUsd);

        Gauge(text, "canary_analyzer_last_decision_to_ack_seconds", "Time from the last pushed decision to its last sidecar acknowledgement.", metrics.LastDecisionToAckSeconds);
        Gauge(text, "canary_analyzer_last_run_timestamp_seconds", "Unix time the last run finished (successful or not).", metrics.LastRunTimestampSeconds);
        Gauge(text, "canary_analyzer_last_run_duration_seconds", "Duration of the last run.", metrics.LastRunDurationSeconds);

        text.Metric("canary_analyzer_alert_deliveries_total", "counter", "Alerts delivered, per event and webhook.", alerts?.Delivered ?? 0);
        text.Metric("canary_analyzer_alert_failures_total", "counter",
            "Alerts not delivered: abandoned after the last attempt, dropped from a full queue, or not recorded.",
            (alerts?.Failed ?? 0) + (alerts?.ClaimFailures ?? 0));
        return text.ToString();
    }

    private static void Gauge(PrometheusTextWriter text, string name, string help, double value)
    {
        if (double.IsNaN(value))
        {
            text.Family(name, "gauge", help);
        }
        else
        {
            text.Metric(name, "gauge", help, value);
        }
    }
}
