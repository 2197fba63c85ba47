using Canary.Analyzer.Statistics;

namespace Canary.Analyzer.UnitTests.Statistics;

public sealed class StudentTTests
{
    // Reference quantiles from the standard t table (e.g. Abramowitz and Stegun, table 26.10), to the digits printed there.
    [Theory]
    [InlineData(0.025, 1, 12.706)]
    [InlineData(0.025, 10, 2.228)]
    [InlineData(0.005, 5, 4.032)]
    [InlineData(0.001, 30, 3.385)]
    [InlineData(0.0005, 8, 5.041)]
    [InlineData(0.0005, 120, 3.373)]
    public void UpperQuantile_TableValues_Match(double upperTail, double degreesOfFreedom, double expected)
    {
        Assert.Equal(expected, StudentT.UpperQuantile(upperTail, degreesOfFreedom), 3);
    }

    [Theory]
    [InlineData(1e-6, 1.5)]
    [InlineData(1e-4, 3.7)]
    [InlineData(0.01, 24.2)]
    [InlineData(0.3, 2)]
    public void UpperQuantile_FractionalDegrees_InvertsSurvival(double upperTail, double degreesOfFreedom)
    {
        var t = StudentT.UpperQuantile(upperTail, degreesOfFreedom);
        Assert.Equal(upperTail, StudentT.Survival(t, degreesOfFreedom), upperTail * 1e-9);
    }

    [Fact]
    public void Survival_ManyDegrees_ApproachesNormal()
    {
        Assert.Equal(StandardNormal.Survival(3), StudentT.Survival(3, 1e7), 1e-8);
    }

    [Fact]
    public void VarianceFactor_FewDegrees_WidensAndVanishesWithMany()
    {
        // (5.041 / 3.2905)² = 2.347 for ν = 8 at α = 5e-4; ν is rounded down to a 1 % grid, so the factor may be a little wider.
        Assert.InRange(SmallSampleCorrection.VarianceFactor(8, 0.0005), 2.346, 2.347 * 1.01);
        Assert.Equal(1, SmallSampleCorrection.VarianceFactor(double.PositiveInfinity, 0.0005));
        Assert.InRange(SmallSampleCorrection.VarianceFactor(1000, 0.0005), 1, 1.01);
    }
}
