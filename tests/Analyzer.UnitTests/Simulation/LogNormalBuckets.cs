using Canary.Analyzer.Statistics;

namespace Canary.Analyzer.UnitTests.Simulation;

/// <summary>
/// Bucket probabilities of a log-normal distribution on a log-spaced grid (representative value = upper edge), used to
/// draw synthetic histogram counts without drawing individual requests.
/// </summary>
internal sealed class LogNormalBuckets
{
    public LogNormalBuckets(double[] upperEdges, double median, double sigma)
    {
        UpperEdges = upperEdges;
        Probabilities = new double[upperEdges.Length];
        var previous = 0.0;
        for (var i = 0; i < upperEdges.Length; i++)
        {
            // The last bucket also takes the upper tail so the probabilities sum to one.
            var cdf = i == upperEdges.Length - 1 ? 1 : StandardNormal.Cdf(Math.Log(upperEdges[i] / median) / sigma);
            Probabilities[i] = cdf - previous;
            previous = cdf;
        }
    }

    public double[] UpperEdges { get; }

    public double[] Probabilities { get; }

    /// <summary>Log-spaced grid from <paramref name="low"/> to <paramref name="high"/> with the given growth factor.</summary>
    public static double[] Grid(double low, double high, double factor)
    {
        var edges = new List<double>();
        for (var edge = low; edge < high * factor; edge *= factor)
        {
            edges.Add(edge);
        }

        return [.. edges];
    }

    /// <summary>Adds Poisson(total · p_i) to each bucket: the counts of a Poisson number of requests with mean total.</summary>
    public long AddPoissonCounts(SimulationRandom random, double expectedTotal, long[] counts)
    {
        long added = 0;
        for (var i = 0; i < Probabilities.Length; i++)
        {
            var mean = expectedTotal * Probabilities[i];
            if (mean < 1e-9)
            {
                continue;
            }

            var k = PoissonSampler.Next(random, mean);
            counts[i] += k;
            added += k;
        }

        return added;
    }
}
