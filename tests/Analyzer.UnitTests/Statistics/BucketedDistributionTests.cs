using Canary.Analyzer.Statistics;

namespace Canary.Analyzer.UnitTests.Statistics;

public sealed class BucketedDistributionTests
{
    [Fact]
    public void Quantile_UniformBuckets_InterpolatesWithinBucket()
    {
        // Ten values per bucket at 10, 20, …, 100: the mass of bucket k lies in (10(k−1), 10k], so p50 is exactly 50.
        var values = new double[] { 10, 20, 30, 40, 50, 60, 70, 80, 90, 100 };
        var counts = new long[] { 10, 10, 10, 10, 10, 10, 10, 10, 10, 10 };
        var distribution = new BucketedDistribution(values, counts);

        Assert.Equal(50, distribution.Quantile(0.5), 1e-12);
        Assert.Equal(95, distribution.Quantile(0.95), 1e-12);
        Assert.Equal(10, distribution.Quantile(0.05), 1e-12);
        Assert.Equal(55, distribution.Mean(), 1e-12);
    }

    [Fact]
    public void Quantile_SparseBucketsWithLowerBounds_InterpolatesInsideEachBucket()
    {
        // Two 1 %-wide buckets far apart: without bounds the second bucket's mass would spread over (100, 1000].
        var distribution = new BucketedDistribution([100, 1000], [50, 50], [99, 990]);

        Assert.Equal(995, distribution.Quantile(0.75), 1e-9);
        Assert.Equal(99.5, distribution.Quantile(0.25), 1e-9);
    }

    [Fact]
    public void MeanAndVariance_SmallInput_MatchPythonStatistics()
    {
        // python3: statistics.mean([1,1,2,3,3,3]) = 2.1666666666666665, statistics.variance(...) = 0.9666666666666667
        var distribution = new BucketedDistribution([1, 2, 3], [2, 1, 3]);
        Assert.Equal(2.1666666666666665, distribution.Mean(), 1e-14);
        Assert.Equal(0.9666666666666667, distribution.Variance(), 1e-14);
    }

    [Fact]
    public void Quantile_LogNormalSample_CloseToTrueQuantile()
    {
        // p95 of lognormal(median 200, σ 0.5) = 200·exp(0.5·1.6448536269514722) = 455.5 (python3 NormalDist().inv_cdf(0.95)).
        var distribution = DistributionTestsData.LogNormal(new Random(7), 200_000, 200, 0.5, DistributionTestsData.LogBuckets());
        var expected = 200 * Math.Exp(0.5 * 1.6448536269514722);
        Assert.InRange(distribution.Quantile(0.95), expected * 0.98, expected * 1.02);
    }

    [Fact]
    public void Constructor_DescendingValues_Throws()
    {
        Assert.Throws<ArgumentException>(() => new BucketedDistribution([2, 1], [1, 1]));
    }

    [Fact]
    public void Quantile_Empty_IsNaN()
    {
        Assert.True(double.IsNaN(new BucketedDistribution([1, 2], [0, 0]).Quantile(0.5)));
    }
}
