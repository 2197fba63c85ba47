namespace Canary.Analyzer.Alerts;

/// <summary>One alert: a rollout's weight change (or non-change) with its reason and a short evidence summary.</summary>
internal sealed record AlertEvent(
    AlertKind Kind,
    string Rollout,
    double FromWeightPercent,
    double ToWeightPercent,
    string Reason,
    string EvidenceSummary,
    DateTimeOffset Timestamp);
