using Canary.Analyzer.Statistics;

namespace Canary.Analyzer.UnitTests.Statistics;

public sealed class HomogeneityGTestTests
{
    // Reference values by hand in python3 (no scipy here): G = 2 Σ O·ln(O/E) with E = row total × column total / total
    // over the non-empty columns; p from the chi-square closed forms (df 1: erfc(sqrt(G/2)); df 2: exp(−G/2);
    // df 4: exp(−G/2)·(1 + G/2)).
    [Theory]
    [InlineData(new long[] { 9000, 600, 50, 300, 50 }, new long[] { 90000, 5000, 500, 3000, 500 }, 16.063688722630488, 4, 0.0029348827759978465)]
    [InlineData(new long[] { 900, 60, 5, 30, 5 }, new long[] { 9000, 500, 50, 300, 50 }, 1.6063688722629244, 4, 0.8076469951501001)]
    [InlineData(new long[] { 500, 500, 0, 0, 0 }, new long[] { 450, 550, 0, 0, 0 }, 5.014648273252391, 1, 0.02513373478369236)]
    [InlineData(new long[] { 100, 20, 0, 30, 0 }, new long[] { 1000, 100, 0, 300, 0 }, 6.210090266215493, 2, 0.04482249553509407)]
    public void Evaluate_KnownTables_MatchesHandComputedReference(long[] canary, long[] stable, double g, int df, double p)
    {
        var result = HomogeneityGTest.Evaluate(canary, stable);

        SpecialFunctionsTests.AssertRelative(g, result.G, 1e-10);
        Assert.Equal(df, result.DegreesOfFreedom);
        SpecialFunctionsTests.AssertRelative(p, result.PValue, 1e-9);
    }

    [Fact]
    public void Evaluate_ProportionalArms_GIsZeroAndPIsOne()
    {
        var result = HomogeneityGTest.Evaluate([100, 10, 5], [1000, 100, 50]);

        Assert.Equal(0, result.G, 1e-9);
        Assert.Equal(1, result.PValue, 1e-9);
    }

    [Fact]
    public void Evaluate_EmptyArm_ReportsNoEvidence()
    {
        var result = HomogeneityGTest.Evaluate([0, 0, 0], [10, 5, 1]);

        Assert.Equal(0, result.G);
        Assert.Equal(1, result.PValue);
    }

    [Fact]
    public void Evaluate_DifferentCategoryCounts_Throws() =>
        Assert.Throws<ArgumentException>(() => HomogeneityGTest.Evaluate([1, 2], [1, 2, 3]));
}
