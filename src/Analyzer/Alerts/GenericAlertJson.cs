namespace Canary.Analyzer.Alerts;

/// <summary>The <c>generic</c> webhook body: flat fields a pager or script reads (docs/runbook.md lists them).</summary>
internal sealed record GenericAlertJson(
    string Event, string Rollout, double FromWeightPercent, double ToWeightPercent, string Reason, string Evidence, string Timestamp);
