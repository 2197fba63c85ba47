using Canary.Analyzer.Statistics;

namespace Canary.Analyzer.UnitTests.Statistics;

public sealed class RatioTestsTests
{
    private static readonly RatioHypotheses ErrorHypotheses = RatioHypotheses.ForMargin(1.5, 0.5, 0.001);

    // python3, exact binomial tail with fractions.Fraction: π0 = (1000/20000·1.5)/(1000/20000·1.5 + 1) = 3/43,
    // P(Bin(60, 3/43) ≥ 9) = 0.022699327723279903.
    [Fact]
    public void FixedSamplePValue_Greater_MatchesExactBinomialTail()
    {
        var p = RateRatioTest.FixedSamplePValue(9, 1000, 51, 20000, 1.5, Alternative.Greater);
        Assert.Equal(0.022699327723279903, p, 1e-12);
    }

    [Fact]
    public void RateCompare_ZeroEvents_IsFiniteAndInconclusive()
    {
        var evidence = RateRatioTest.Compare(0, 2000, 0, 40000, ErrorHypotheses);
        Assert.Equal(0, evidence.LogEvidenceWorseThanStable, 12);
        Assert.True(double.IsFinite(evidence.LowerBound) && double.IsFinite(evidence.UpperBound));
    }

    [Fact]
    public void RateCompare_DoubleErrorRate_ShowsWorseNotWithin()
    {
        // 2 % against 1 % with 20 000 canary requests.
        var evidence = RateRatioTest.Compare(400, 20000, 2000, 200000, ErrorHypotheses);
        Assert.True(evidence.LogEvidenceWorseThanStable > -Math.Log(0.0005));
        Assert.True(evidence.LogEvidenceWithinMargin < 0);
        Assert.InRange(evidence.Ratio, 1.99, 2.01);
        Assert.True(evidence.LowerBound > 1);
    }

    [Fact]
    public void RateCompare_EqualRates_ShowsWithinMargin()
    {
        var evidence = RateRatioTest.Compare(300, 30000, 3000, 300000, ErrorHypotheses);
        Assert.True(evidence.LogEvidenceWithinMargin > -Math.Log(0.05));
        Assert.True(evidence.LogEvidenceWorseThanStable < 0);
    }

    [Fact]
    public void QuantileCompare_ThirtyPercentSlower_ShowsWorse()
    {
        var buckets = DistributionTestsData.LogBuckets();
        var random = new Random(11);
        var stable = DistributionTestsData.LogNormal(random, 40_000, 200, 0.5, buckets);
        var canary = DistributionTestsData.LogNormal(random, 4_000, 260, 0.5, buckets);
        var evidence = QuantileRatioTest.Compare(canary, stable, 0.95, RatioHypotheses.ForMargin(1.3, 0.8, 0.001));
        Assert.InRange(evidence.Ratio, 1.2, 1.4);
        Assert.True(evidence.LogEvidenceWorseThanStable > -Math.Log(0.0005));
        Assert.True(evidence.LowerBound < 1.3 && evidence.UpperBound > 1.3);
    }

    [Fact]
    public void QuantileCompare_WoodruffStandardError_MatchesAsymptoticFormula()
    {
        // For lognormal σ, Var(ln Q̂_p) ≈ p(1−p) σ² / (n φ(z_p)²). With p = 0.95, σ = 0.5, n = 100 000 and
        // φ(1.6448536269514722) = 0.10313564037537128 (python3 NormalDist().pdf), the expected value computed below.
        var distribution = DistributionTestsData.LogNormal(new Random(3), 100_000, 200, 0.5, DistributionTestsData.LogBuckets());
        var expected = 0.95 * 0.05 * 0.25 / (100_000 * 0.10313564037537128 * 0.10313564037537128);
        var actual = QuantileRatioTest.LogQuantileVariance(distribution, 0.95, distribution.Quantile(0.95));
        Assert.InRange(actual, expected * 0.7, expected * 1.3);
    }

    [Fact]
    public void MeanCompare_SameDistribution_IsWithinMargin()
    {
        var buckets = DistributionTestsData.LogBuckets();
        var random = new Random(5);
        var stable = DistributionTestsData.LogNormal(random, 50_000, 20, 0.8, buckets);
        var canary = DistributionTestsData.LogNormal(random, 5_000, 20, 0.8, buckets);
        var evidence = MeanRatioTest.Compare(canary, stable, RatioHypotheses.ForMargin(1.5, 0.8, 0.001));
        Assert.InRange(evidence.Ratio, 0.9, 1.1);
        Assert.True(evidence.LogEvidenceWithinMargin > -Math.Log(0.05));
    }

    [Fact]
    public void SampleRatioMismatch_SkewedSplit_HasTinyPValue()
    {
        // 600 of 10 000 at 5 %: expected 500/9500, χ² = 100²/500 + 100²/9500 = 21.0526…; p = erfc(sqrt(χ²/2)) in python3.
        var result = SampleRatioMismatchTest.Evaluate(600, 9400, 0.05);
        Assert.Equal(21.05263157894737, result.ChiSquare, 1e-10);
        Assert.Equal(4.468387345230041e-06, result.PValue, 1e-15);
    }
}
