namespace Canary.Analyzer.Statistics;

/// <summary>Observed and expected canary share with the chi-square statistic and its p-value.</summary>
internal readonly record struct SampleRatioMismatchResult(double ObservedShare, double ExpectedShare, double ChiSquare, double PValue);
