namespace Canary.Analyzer.Reports;

/// <summary>A rate (0..1) at a time with its confidence interval.</summary>
internal readonly record struct RatePoint(DateTimeOffset Time, double Rate, double Low, double High);
