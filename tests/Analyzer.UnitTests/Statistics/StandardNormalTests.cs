using Canary.Analyzer.Statistics;

namespace Canary.Analyzer.UnitTests.Statistics;

public sealed class StandardNormalTests
{
    // python3: statistics.NormalDist().cdf(x), except x = −8: NormalDist computes 0.5·(1 + erf(x/√2)), which cancels in
    // the far lower tail (it gives 6.106e-16), so that value is mpmath 1.3's ncdf(-8) at 30 digits.
    [Theory]
    [InlineData(-8.0, 6.220960574271784e-16)]
    [InlineData(-3.0, 0.0013498980316301035)]
    [InlineData(-1.959963984540054, 0.025000000000000022)]
    [InlineData(-0.5, 0.3085375387259869)]
    [InlineData(0.0, 0.5)]
    [InlineData(0.7, 0.758036347776927)]
    [InlineData(2.0, 0.9772498680518208)]
    [InlineData(5.0, 0.9999997133484282)]
    public void Cdf_KnownArguments_MatchesPythonNormalDist(double x, double expected)
    {
        SpecialFunctionsTests.AssertRelative(expected, StandardNormal.Cdf(x), 1e-13);
    }

    // python3: statistics.NormalDist().inv_cdf(p) (Wichura's AS241, independent of our Halley polish)
    [Theory]
    [InlineData(1e-10, -6.361340902404056)]
    [InlineData(0.001, -3.090232306167813)]
    [InlineData(0.025, -1.9599639845400538)]
    [InlineData(0.3, -0.5244005127080407)]
    [InlineData(0.5, 0.0)]
    [InlineData(0.8, 0.8416212335729144)]
    [InlineData(0.975, 1.9599639845400536)]
    [InlineData(0.999999, 4.753424308817089)]
    public void Quantile_KnownProbabilities_MatchesPythonInvCdf(double p, double expected)
    {
        Assert.Equal(expected, StandardNormal.Quantile(p), 1e-12);
    }

    [Fact]
    public void LogCdf_FarLowerTail_MatchesAsymptotics()
    {
        // ln Φ(−40) = −804.608442013753788 from mpmath 1.3: mpmath.log(mpmath.ncdf(-40)) at 30 digits.
        Assert.Equal(-804.6084420137538, StandardNormal.LogCdf(-40), 1e-9);
        Assert.Equal(Math.Log(StandardNormal.Cdf(-10)), StandardNormal.LogCdf(-10), 1e-12);
    }
}
