using Canary.Analyzer.Decisions;
using Canary.Analyzer.UnitTests.Simulation;
using Canary.Analyzer.Statistics;

namespace Canary.Analyzer.UnitTests.Decisions;

/// <summary>Deterministic arm evidence: counts are the rounded expected counts of log-normal distributions.</summary>
internal static class TestArms
{
    private static readonly double[] LatencyGrid = LogNormalBuckets.Grid(50, 20_000, 1.02);
    private static readonly double[] CostGrid = LogNormalBuckets.Grid(100, 100_000, 1.02);

    public static ArmEvidence Create(
        long requests,
        double errorRate = 0.01,
        double latencyMedian = 800,
        double costMedian = 2000,
        double refusalRate = 0.005,
        long? ttftCount = null) => new()
        {
            Requests = requests,
            Errors = (long)Math.Round(requests * errorRate),
            Refusals = (long)Math.Round(requests * refusalRate),
            RateLimited = requests / 200,
            ClientCancels = requests / 500,
            Latency = Expected(LatencyGrid, requests, latencyMedian, 0.5),
            Cost = Expected(CostGrid, requests, costMedian, 0.8),
            TimeToFirstToken = ttftCount is { } n ? Expected(LatencyGrid, n, 300, 0.4) : null,
        };

    public static BucketedDistribution Expected(double[] grid, long n, double median, double sigma)
    {
        var buckets = new LogNormalBuckets(grid, median, sigma);
        var counts = new long[grid.Length];
        for (var i = 0; i < counts.Length; i++)
        {
            counts[i] = (long)Math.Round(n * buckets.Probabilities[i]);
        }

        return new BucketedDistribution(grid, counts);
    }
}
