namespace Canary.Analyzer.Reports;

/// <summary>
/// The report's quality section: rubric scores per arm, paired comparisons (null when the rollout has none) with the
/// canary's and stable's win rates over time, and the lowest-scored answers with the judge's reasons.
/// </summary>
internal sealed record QualityReport(
    QualityArmScores Stable,
    QualityArmScores Canary,
    PairedSummary? Pairs,
    RateSeries? WinRates,
    IReadOnlyList<LowScoredAnswer> Lowest);
