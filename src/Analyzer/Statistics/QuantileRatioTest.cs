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
/// Assumptions: values are independent within an arm (requests of one user are treated as independent), the quantile is
/// in a part of the distribution with positive density, and bucket width is small against the effect (HdrHistogram at 3
/// significant digits has 0.1 % buckets, far below a 30 % margin). Values must be positive (ratios of latencies).
/// </remarks>
internal static class QuantileRatioTest
{
    /// <summary>Compares the <paramref name="p"/>-quantiles of the two arms.</summary>
    public static RatioEvidence Compare(BucketedDistribution canary, BucketedDistribution stable, double p, RatioHypotheses hypotheses)
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

        var variance = LogQuantileVariance(canary, p, canaryQuantile) + LogQuantileVariance(stable, p, stableQuantile);
        return LogRatioTest.FromLogRatio(canaryQuantile, stableQuantile, variance, hypotheses);
    }

    /// <summary>Woodruff variance of ln Q̂_p for one arm.</summary>
    public static double LogQuantileVariance(BucketedDistribution distribution, double p, double quantile)
    {
        var se = Math.Sqrt(p * (1 - p) / distribution.Count);
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
