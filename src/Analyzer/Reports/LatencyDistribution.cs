namespace Canary.Analyzer.Reports;

/// <summary>A latency-like metric's CDF for each arm, points sorted by value.</summary>
internal sealed record LatencyDistribution(string Metric, string Unit, IReadOnlyList<CdfPoint> Stable, IReadOnlyList<CdfPoint> Canary);
