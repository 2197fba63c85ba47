namespace Canary.Analyzer.Reports;

/// <summary>One point of an empirical CDF: the fraction of samples at or below <see cref="Value"/>.</summary>
internal readonly record struct CdfPoint(double Value, double CumulativeFraction);
