using Canary.Analyzer.Statistics;

namespace Canary.Analyzer.UnitTests.Statistics;

public sealed class ChiSquaredTests
{
    // python3 closed forms: df 1: math.erfc(math.sqrt(x/2)); df 2: math.exp(-x/2); df 4: math.exp(-x/2)*(1+x/2).
    [Theory]
    [InlineData(0.5, 1.0, 0.4795001221869535)]
    [InlineData(3.84, 1.0, 0.05004352124870509)]
    [InlineData(10.83, 1.0, 0.0009986863791802592)]
    [InlineData(25.0, 1.0, 5.733031437583873e-07)]
    [InlineData(0.5, 2.0, 0.7788007830714049)]
    [InlineData(5.99, 2.0, 0.05003662708658628)]
    [InlineData(13.8, 2.0, 0.0010077854290485105)]
    [InlineData(1.0, 4.0, 0.9097959895689501)]
    [InlineData(9.49, 4.0, 0.049953131223294894)]
    [InlineData(30.0, 4.0, 4.8944371280292126e-06)]
    public void Survival_KnownArguments_MatchesClosedForms(double x, double df, double expected)
    {
        SpecialFunctionsTests.AssertRelative(expected, ChiSquared.Survival(x, df), 1e-12);
        Assert.Equal(1 - expected, ChiSquared.Cdf(x, df), 1e-13);
    }
}
