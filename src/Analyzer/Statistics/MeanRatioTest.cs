namespace Canary.Analyzer.Statistics;

/// <summary>
/// Sequential comparison of two means (e.g. cost per request) computed from histograms, on the ratio scale.
/// </summary>
/// <remarks>
/// Method: the mean and sample variance of each arm come from the bucket moments; by the central limit theorem
/// ln(mean) is asymptotically normal with variance s² / (n·mean²) (delta method), and the log-ratio of the arms has the
/// sum of the two variances. Tested with the normal mixture sequential test (asymptotically always valid, Waudby-Smith et
/// al. 2024). With per-group sums and counts the variance of the mean is the delete-a-group jackknife over user groups
/// (the mean is a ratio of group sums over group counts), never below the independent s²/n, so correlated requests of
/// one user and heavy users widen it. Assumptions: independent users, finite variance (cost is bounded by the maximum tokens times the price),
/// positive means, and enough samples for the CLT (the minimum-samples guard, default 1000 per arm). Heavy right tails
/// slow the CLT down; the bucket values are used as the values, so bucket resolution adds a small, unbiased error.
/// </remarks>
internal static class MeanRatioTest
{
    /// <summary>Compares the means of the two arms.</summary>
    public static RatioEvidence Compare(
        BucketedDistribution canary,
        BucketedDistribution stable,
        RatioHypotheses hypotheses,
        GroupedDistribution? canaryGroups = null,
        GroupedDistribution? stableGroups = null)
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

        var variance = LogMeanVariance(canary, canaryMean, canaryGroups) + LogMeanVariance(stable, stableMean, stableGroups);
        return LogRatioTest.FromLogRatio(canaryMean, stableMean, variance, hypotheses);
    }

    /// <summary>Var(ln x̄) of one arm: s²/(n·x̄²), or the user-level jackknife over groups when it is larger; +∞ without enough groups.</summary>
    public static double LogMeanVariance(BucketedDistribution distribution, double mean, GroupedDistribution? groups = null)
    {
        var variance = distribution.Variance() / distribution.Count;
        if (groups is not null)
        {
            variance = Math.Max(variance, groups.Mean().JackknifeVariance());
        }

        return variance / (mean * mean);
    }
}
