using Canary.Analyzer.Statistics;

namespace Canary.Analyzer.UnitTests.Statistics;

/// <summary>Builds bucketed distributions from seeded samples for the distribution tests.</summary>
internal static class DistributionTestsData
{
    /// <summary>Log-spaced buckets from 1 to 100 000 with 1 % relative width; representative value = upper edge.</summary>
    public static double[] LogBuckets()
    {
        var values = new List<double>();
        for (var v = 1.0; v < 100_000; v *= 1.01)
        {
            values.Add(v * 1.01);
        }

        return [.. values];
    }

    public static BucketedDistribution LogNormal(Random random, int n, double median, double sigma, double[] buckets)
    {
        var counts = new long[buckets.Length];
        for (var i = 0; i < n; i++)
        {
            var z = NextGaussian(random);
            var value = median * Math.Exp(sigma * z);
            var index = Array.BinarySearch(buckets, value);
            index = index >= 0 ? index : ~index;
            counts[Math.Min(index, buckets.Length - 1)]++;
        }

        return new BucketedDistribution(buckets, counts);
    }

    public static double NextGaussian(Random random)
    {
        var u1 = 1.0 - random.NextDouble();
        var u2 = random.NextDouble();
        return Math.Sqrt(-2 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2);
    }
}
