namespace Canary.Analyzer.Reports;

/// <summary>A rate metric (error rate, refusal rate) over time for each arm, points sorted by time.</summary>
internal sealed record RateSeries(string Metric, IReadOnlyList<RatePoint> Stable, IReadOnlyList<RatePoint> Canary);
