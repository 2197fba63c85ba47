namespace Canary.Analyzer.Statistics;

/// <summary>
/// Sequential comparison of two means (e.g. cost per request) computed from histograms, on the ratio scale.
/// </summary>
/// <remarks>
/// Method: the mean and sample variance of each arm come from the bucket moments; by the central limit theorem
/// ln(mean) is asymptotically normal with variance s² / (n·mean²) (delta method), and the log-ratio of the arms has the
/// sum of the two variances. Tested with the normal mixture sequential test (asymptotically always valid, Waudby-Smith et
/// al. 2024). Assumptions: independent requests, finite variance (cost is bounded by the maximum tokens times the price),
/// positive means, and enough samples for the CLT (the minimum-samples guard, default 1000 per arm). Heavy right tails
/// slow the CLT down; the bucket values are used as the values, so bucket resolution adds a small, unbiased error.
/// </remarks>
internal static class MeanRatioTest
{
    /// <summary>Compares the means of the two arms.</summary>
    public static RatioEvidence Compare(BucketedDistribution canary, BucketedDistribution stable, RatioHypotheses hypotheses)
    {
        ArgumentNullException.ThrowIfNull(canary);
        ArgumentNullException.ThrowIfNull(stable);
        if (canary.Count < 2 || stable.Count < 2)
        {
            throw new ArgumentException("Both arms need at least two values.");
        }

        var canaryMean = canary.Mean();
        var stableMean = stable.Mean();
        if (!(canaryMean > 0) || !(stableMean > 0))
        {
            throw new ArgumentException("Mean ratios need positive means.");
        }

        var variance = (canary.Variance() / (canary.Count * canaryMean * canaryMean))
                       + (stable.Variance() / (stable.Count * stableMean * stableMean));
        return LogRatioTest.FromLogRatio(canaryMean, stableMean, variance, hypotheses);
    }
}
