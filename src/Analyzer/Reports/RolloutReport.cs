using Canary.Analyzer.Preflight;
using Canary.Analyzer.Rollouts;

namespace Canary.Analyzer.Reports;

/// <summary>
/// Everything one rollout's HTML report shows; filled from the database by the caller. <see cref="Preflight"/> is the
/// rollout's stage-1 record (null when none is stored), <see cref="Testers"/> the testers' traffic over the report's window,
/// <see cref="OffComparison"/> every off-comparison arm's requests over the same window (null: not shown), <see cref="Quality"/>
/// the quality samples' scores and paired comparisons over it (null: the rollout has no samples).
/// </summary>
internal sealed record RolloutReport(
    string Rollout,
    string StableVersion,
    string CanaryVersion,
    string Status,
    DateTimeOffset GeneratedAt,
    IReadOnlyList<LatencyDistribution> Latencies,
    IReadOnlyList<RateSeries> Rates,
    IReadOnlyList<StageSpan> Stages,
    IReadOnlyList<DecisionEntry> Decisions,
    StoredPreflight? Preflight = null,
    TesterTraffic? Testers = null,
    OffComparisonTraffic? OffComparison = null,
    QualityReport? Quality = null);
