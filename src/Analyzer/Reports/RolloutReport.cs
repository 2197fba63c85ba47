namespace Canary.Analyzer.Reports;

/// <summary>Everything one rollout's HTML report shows; filled from the database by the caller.</summary>
internal sealed record RolloutReport(
    string Rollout,
    string StableVersion,
    string CanaryVersion,
    string Status,
    DateTimeOffset GeneratedAt,
    IReadOnlyList<LatencyDistribution> Latencies,
    IReadOnlyList<RateSeries> Rates,
    IReadOnlyList<StageSpan> Stages,
    IReadOnlyList<DecisionEntry> Decisions);
