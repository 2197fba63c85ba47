using Canary.Analyzer.Statistics;

namespace Canary.Analyzer.UnitTests.Statistics;

public sealed class SequentialTestTests
{
    // mpmath 1.3, 30 digits: ln of the quadrature of (π/π0)^s ((1−π)/(1−π0))^f against the Beta(cπ0, c(1−π0)) prior,
    // c = 1/(τ²π0(1−π0)), truncated to π > π0 (greater) or π < π0 (less) and renormalised; no incomplete beta involved.
    [Theory]
    [InlineData(30, 400, 0.05, true, 0.405, 1.107455637500185)]
    [InlineData(30, 400, 0.05, false, 0.405, -1.7837216122006219)]
    [InlineData(2, 1500, 0.001, false, 0.405, -0.28103624207809863)]
    [InlineData(120, 2300, 0.05, true, 0.405, -1.4955278052898824)]
    public void BernoulliMixture_LogEvidence_MatchesQuadrature(long s, long f, double p0, bool greater, double tau, double expected)
    {
        var actual = BernoulliMixtureTest.LogEvidence(s, f, p0, greater ? Alternative.Greater : Alternative.Less, tau);
        Assert.Equal(expected, actual, 1e-8);
    }

    // mpmath 1.3: ln ∫ exp((δS − δ²/2)/V) · 2·N(δ; 0, τ²) dδ over δ > 0 (greater) or δ < 0 (less), null value 0.
    [Theory]
    [InlineData(0.3, 0.01, 0.26, true, 3.586200998166105)]
    [InlineData(-0.1, 0.004, 0.26, true, -2.346040259123864)]
    [InlineData(0.05, 0.02, 0.4, false, -1.3456728583318391)]
    public void NormalMixture_LogEvidence_MatchesQuadrature(double estimate, double variance, double tau, bool greater, double expected)
    {
        var actual = NormalMixtureTest.LogEvidence(estimate, variance, 0, greater ? Alternative.Greater : Alternative.Less, tau);
        Assert.Equal(expected, actual, 1e-9);
    }

    // mpmath 1.3: findroot of ln ∫ exp((δS − δ²/2)/V) N(δ; 0, τ²) dδ = ln(1/α) over S.
    [Theory]
    [InlineData(0.01, 0.26, 0.05, 0.30380688110098475)]
    [InlineData(0.0004, 0.405, 0.0005, 0.09224380681863223)]
    public void NormalMixture_HalfWidth_MatchesRootOfMixture(double variance, double tau, double alpha, double expected)
    {
        Assert.Equal(expected, NormalMixtureTest.HalfWidth(variance, tau, alpha), 1e-9);
    }

    [Fact]
    public void BernoulliMixture_ContinuousMonitoringUnderNull_RejectsAtMostAlpha()
    {
        // Bernoulli(π0) streams looked at after every observation: Ville's inequality bounds the crossing rate by α.
        const double P0 = 0.05;
        const double Alpha = 0.05;
        var random = new Random(12345);
        var crossings = 0;
        const int Runs = 400;
        for (var run = 0; run < Runs; run++)
        {
            long s = 0;
            long f = 0;
            for (var i = 0; i < 4000; i++)
            {
                if (random.NextDouble() < P0)
                {
                    s++;
                }
                else
                {
                    f++;
                }

                if (i % 10 == 0 && BernoulliMixtureTest.LogEvidence(s, f, P0, Alternative.Greater, 0.405) >= -Math.Log(Alpha))
                {
                    crossings++;
                    break;
                }
            }
        }

        Assert.True(crossings <= Runs * Alpha, $"{crossings} of {Runs} null runs crossed");
    }

    [Fact]
    public void BernoulliMixture_TrueEffect_EventuallyRejects()
    {
        // 1.5 × π0 with π0 = 0.05: about 7.5 % successes; 20 000 observations are far more than enough.
        var evidence = BernoulliMixtureTest.LogEvidence(1500, 18500, 0.05, Alternative.Greater, 0.405);
        Assert.True(evidence > -Math.Log(0.0005));
    }
}
