using Canary.Analyzer.Statistics;

namespace Canary.Analyzer.UnitTests.Statistics;

// Reference values were computed on this machine with Python 3.11 (see each test for the function used); none of them
// come from the code under test.
public sealed class SpecialFunctionsTests
{
    // python3: math.lgamma(x)
    [Theory]
    [InlineData(0.1, 2.2527126517342055)]
    [InlineData(0.5, 0.5723649429247004)]
    [InlineData(1.0, 0.0)]
    [InlineData(1.5, -0.12078223763524543)]
    [InlineData(2.5, 0.2846828704729196)]
    [InlineData(10.0, 12.801827480081467)]
    [InlineData(123.456, 469.60554712992956)]
    [InlineData(100000.0, 1051287.7089736566)]
    public void LogGamma_KnownArguments_MatchesPythonLgamma(double x, double expected)
    {
        Assert.Equal(expected, SpecialFunctions.LogGamma(x), Math.Max(1e-13, Math.Abs(expected) * 1e-14));
    }

    // python3: math.erfc(x)
    [Theory]
    [InlineData(0.0, 1.0)]
    [InlineData(0.3, 0.6713732405408726)]
    [InlineData(1.0, 0.15729920705028513)]
    [InlineData(2.5, 0.0004069520174449589)]
    [InlineData(5.0, 1.5374597944280351e-12)]
    [InlineData(10.0, 2.088487583762545e-45)]
    public void Erfc_KnownArguments_MatchesPythonErfc(double x, double expected)
    {
        AssertRelative(expected, SpecialFunctions.Erfc(x), 1e-13);
    }

    // Exact binomial tails: I_p(k, n − k + 1) = P(Bin(n, p) ≥ k), summed with fractions.Fraction and math.comb in python3.
    [Theory]
    [InlineData(0.2, 3.0, 8.0, 0.3222004736)]
    [InlineData(0.1, 10.0, 41.0, 0.024537935704591455)]
    [InlineData(0.7, 150.0, 51.0, 0.06954527985344407)]
    [InlineData(0.01, 20.0, 981.0, 0.0032883597877274664)]
    public void IncompleteBeta_IntegerArguments_MatchesExactBinomialTail(double x, double a, double b, double expected)
    {
        AssertRelative(expected, SpecialFunctions.IncompleteBeta(x, a, b), 1e-12);
    }

    // Closed forms evaluated with python3's math module: I_x(1/2, 1/2) = (2/π) asin(√x) and I_x(a, 1) = x^a.
    [Theory]
    [InlineData(0.01, 0.5, 0.5, 0.06376856085851985)]
    [InlineData(0.3, 0.5, 0.5, 0.36901011956554536)]
    [InlineData(0.9, 0.5, 0.5, 0.7951672353008666)]
    [InlineData(0.5, 2.5, 1.0, 0.1767766952966369)]
    [InlineData(0.99, 300.0, 1.0, 0.04904089407128572)]
    public void IncompleteBeta_ClosedForms_Match(double x, double a, double b, double expected)
    {
        AssertRelative(expected, SpecialFunctions.IncompleteBeta(x, a, b), 1e-12);
    }

    // mpmath 1.3 (python3), 30 digits: quadrature of the beta density over [0, x] divided by B(a, b).
    [Theory]
    [InlineData(0.05, 120.0, 2300.0, 0.5483479777162409)]
    [InlineData(0.5, 5000.5, 5100.25, 0.8395382157705552)]
    [InlineData(0.0002, 30.0, 100000.0, 0.021879615596887298)]
    [InlineData(0.0495, 6.6, 125.0, 0.5342775333195506)]
    public void IncompleteBeta_LargeArguments_MatchesQuadrature(double x, double a, double b, double expected)
    {
        AssertRelative(expected, SpecialFunctions.IncompleteBeta(x, a, b), 1e-10);
        AssertRelative(1 - expected, Math.Exp(SpecialFunctions.LogIncompleteBeta(x, a, b, upper: true)), 1e-9);
    }

    [Fact]
    public void LogIncompleteBeta_FarTail_StaysFinite()
    {
        // I_x underflows a double here; the log form must not.
        var value = SpecialFunctions.LogIncompleteBeta(0.01, 5000, 5000, upper: false);
        Assert.True(double.IsFinite(value));
        Assert.True(value < -10_000);
    }

    // python3: math.log1p and math.expm1.
    [Theory]
    [InlineData(1e-12, 9.999999999995e-13, 1.0000000000005e-12)]
    [InlineData(-0.3, -0.35667494393873234, -0.2591817793182821)]
    public void Log1PAndExpM1_SmallArguments_MatchPython(double x, double log1p, double expm1)
    {
        AssertRelative(log1p, SpecialFunctions.Log1P(x), 1e-14);
        AssertRelative(expm1, SpecialFunctions.ExpM1(x), 1e-14);
    }

    // python3: math.log(-math.expm1(v)) for v > −ln 2, math.log1p(-math.exp(v)) otherwise.
    [Theory]
    [InlineData(-1e-10, -23.025850929990458)]
    [InlineData(-0.5, -0.9327521295671886)]
    [InlineData(-50.0, -1.9287498479639178e-22)]
    public void Log1MinusExp_BothRegimes_MatchesPython(double v, double expected)
    {
        AssertRelative(expected, SpecialFunctions.Log1MinusExp(v), 1e-13);
    }

    internal static void AssertRelative(double expected, double actual, double tolerance)
    {
        var error = expected == 0 ? Math.Abs(actual) : Math.Abs((actual - expected) / expected);
        Assert.True(error <= tolerance, $"expected {expected:R}, got {actual:R} (relative error {error:E2})");
    }
}
