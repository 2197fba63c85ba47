namespace Canary.Analyzer.Statistics;

/// <summary>
/// Sequential comparison of one quantile (e.g. p95 latency) of two histograms on the ratio scale.
/// </summary>
/// <remarks>
/// Method: each arm's quantile Q̂_p has, for n i.i.d. values, asymptotic variance p(1−p) / (n f(Q_p)²) (Bahadur
/// representation). Instead of estimating the density f from buckets, the standard error of ln Q̂_p is read off the
/// histogram itself through Woodruff's (1952) construction: the binomial interval p ± 2·sqrt(p(1−p)/n) of the rank is
/// mapped back through the empirical quantile function, and the slope of ln Q over that rank interval times
/// sqrt(p(1−p)/n) is the standard error. This is the order-statistics confidence interval for a quantile, and it works on
/// merged histograms because it uses only cumulative counts. The log-ratio ln(Q̂_c/Q̂_s) has variance se_c² + se_s²
/// (independent arms) and is tested with the normal mixture sequential test (always valid asymptotically).
/// Users, not requests, are the independent units: with per-group histograms the variance of the rank,
/// p(1−p)/n for independent values, is replaced by the delete-a-group jackknife variance of the share of values at or
/// below Q̂_p, a ratio over user groups (Deng, Knoblich and Lu 2018, "Applying the delta method in metric analytics",
/// KDD, percentile metrics), never below p(1−p)/n; Woodruff's interval is then taken over p ± 2 of those standard errors.
/// Assumptions: users are independent, the quantile is in a part of the distribution with positive density, and bucket
/// width is small against the effect (the fine histograms keep 2 significant digits, under 1 % buckets, far below a
/// 30 % margin). Values must be positive (ratios of latencies).
/// </remarks>
internal static class QuantileRatioTest
{
    /// <summary>Compares the <paramref name="p"/>-quantiles of the two arms.</summary>
    public static RatioEvidence Compare(
        BucketedDistribution canary,
        BucketedDistribution stable,
        double p,
        RatioHypotheses hypotheses,
        GroupedDistribution? canaryGroups = null,
        GroupedDistribution? stableGroups = null)
    {
        ArgumentNullException.ThrowIfNull(canary);
        ArgumentNullException.ThrowIfNull(stable);
        if (!(p > 0 && p < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(p), p, "The quantile level must be in (0, 1).");
        }

        if (canary.Count < 2 || stable.Count < 2)
        {
            throw new ArgumentException("Both arms need at least two values.");
        }

        var canaryQuantile = canary.Quantile(p);
        var stableQuantile = stable.Quantile(p);
        if (!(canaryQuantile > 0) || !(stableQuantile > 0))
        {
            throw new ArgumentException("Quantile ratios need positive values.");
        }

        var variance = LogQuantileVariance(canary, p, canaryQuantile, canaryGroups) + LogQuantileVariance(stable, p, stableQuantile, stableGroups);
        return LogRatioTest.FromLogRatio(canaryQuantile, stableQuantile, variance, hypotheses);
    }

    /// <summary>
    /// Woodruff variance of ln Q̂_p for one arm; with <paramref name="groups"/> the rank's variance is the user-level one.
    /// +∞ when the groups cannot give a variance (fewer than two with values).
    /// </summary>
    public static double LogQuantileVariance(BucketedDistribution distribution, double p, double quantile, GroupedDistribution? groups = null)
    {
        var rankVariance = p * (1 - p) / distribution.Count;
        if (groups is { HasBins: true })
        {
            var clustered = groups.ShareAtOrBelow(quantile, distribution).JackknifeVariance();
            if (double.IsPositiveInfinity(clustered))
            {
                return double.PositiveInfinity;
            }

            rankVariance = Math.Max(rankVariance, clustered);
        }

        var se = Math.Sqrt(rankVariance);
        var low = Math.Max(0, p - (2 * se));
        var high = Math.Min(1, p + (2 * se));
        var qLow = distribution.Quantile(low);
        var qHigh = distribution.Quantile(high);

        // A non-positive lower quantile (zeros in the data) would make the log slope infinite; bound it by the estimate.
        if (!(qLow > 0))
        {
            qLow = quantile * 1e-3;
        }

        var slope = (Math.Log(qHigh) - Math.Log(qLow)) / (high - low);
        var logSe = slope * se;
        return logSe * logSe;
    }
}
