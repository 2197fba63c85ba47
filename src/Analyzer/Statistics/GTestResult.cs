namespace Canary.Analyzer.Statistics;

/// <summary>A G-test of homogeneity: the statistic, its degrees of freedom and the single-look p-value.</summary>
internal readonly record struct GTestResult(double G, int DegreesOfFreedom, double PValue);
