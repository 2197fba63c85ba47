using Canary.Analyzer.Reports;

namespace Canary.Analyzer.UnitTests.Reports;

public sealed class AxisTicksTests
{
    [Theory]
    [InlineData(4.7, 5, 1)]
    [InlineData(0.031, 0.04, 0.01)]
    [InlineData(742, 800, 200)]
    [InlineData(1000, 1000, 200)]
    [InlineData(0, 1, 0.2)]
    public void Nice_Range_CoversMaxWithRoundStep(double max, double expectedMax, double expectedStep)
    {
        var (niceMax, step) = AxisTicks.Nice(max);

        Assert.Equal(expectedMax, niceMax, 9);
        Assert.Equal(expectedStep, step, 9);
    }
}
