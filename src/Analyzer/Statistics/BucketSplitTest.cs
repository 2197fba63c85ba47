namespace Canary.Analyzer.Statistics;

/// <summary>
/// Sequential sample-ratio check on the randomization unit: are the sticky buckets that sent requests in the window
/// split between the arms as the configured weight says? Counts buckets, never requests, so a heavy user moves it by
/// one bucket at most.
/// </summary>
/// <remarks>
/// The canary owns buckets [0, K) of N = 10 000, stable owns [K, N). Users hash into buckets independently of everything
/// they do, so under a working split every bucket is equally likely to be among the first n that see traffic: the
/// occupied buckets of a look are the first n draws, without replacement, from an urn of N balls of which K are canary.
/// A split that loses canary users (a canary that crashes before the sidecar records, telemetry dropped for one arm,
/// users who stop coming back) draws canary balls less often than K/N.
/// The test is the prior–posterior ratio martingale for sampling without replacement (Waudby-Smith and Ramdas 2020,
/// "Confidence sequences for sampling without replacement", NeurIPS 33): with a beta-binomial prior π₀ on the number of
/// canary balls, R_n = π₀(K) / π_n(K) is a nonnegative martingale with mean 1 when K is the true count, so by Ville's
/// inequality P(sup_n R_n ≥ 1/α) ≤ α under a working split, however often it is looked at. The posterior stays
/// beta-binomial: after s canary of n drawn, the undrawn canary count is BetaBinomial(N − n, a + s, b + n − s). The prior
/// is centred on K with a standard deviation of <see cref="RelativeSpread"/> of the smaller arm's share, so the test is
/// most sensitive to deviations of that size. Once every bucket has seen traffic the split is exact by construction and
/// R_n is at its minimum: the check can only lose power as traffic grows, never flag a heavy user.
/// </remarks>
internal static class BucketSplitTest
{
    /// <summary>Prior standard deviation of the canary's share of buckets, relative to the smaller arm's share.</summary>
    public const double RelativeSpread = 0.2;

    /// <param name="totalBuckets">N, the bucket space (10 000).</param>
    /// <param name="canaryBuckets">K, the buckets the configured weight gives the canary (its basis points).</param>
    /// <param name="occupiedCanary">Canary buckets (below K) with requests in the canary arm in the window.</param>
    /// <param name="occupiedStable">Stable buckets (K and above) with requests in the stable arm in the window.</param>
    public static BucketSplitResult Evaluate(int totalBuckets, int canaryBuckets, int occupiedCanary, int occupiedStable)
    {
        if (totalBuckets <= 0 || canaryBuckets <= 0 || canaryBuckets >= totalBuckets)
        {
            throw new ArgumentOutOfRangeException(nameof(canaryBuckets), canaryBuckets, "Needs 0 < canary buckets < total buckets.");
        }

        if (occupiedCanary < 0 || occupiedCanary > canaryBuckets || occupiedStable < 0 || occupiedStable > totalBuckets - canaryBuckets)
        {
            throw new ArgumentOutOfRangeException(nameof(occupiedCanary), "Occupied buckets must lie within each arm's buckets.");
        }

        var share = (double)canaryBuckets / totalBuckets;
        var drawn = occupiedCanary + occupiedStable;
        if (drawn == 0)
        {
            return new BucketSplitResult(0, 0, double.NaN, share, 0);
        }

        // Beta(a, b) with mean K/N and standard deviation ρ·min(share, 1 − share): a + b + 1 = share(1 − share) / sd².
        var sd = RelativeSpread * Math.Min(share, 1 - share);
        var concentration = (share * (1 - share) / (sd * sd)) - 1;
        var a = concentration * share;
        var b = concentration * (1 - share);
        var prior = LogBetaBinomial(canaryBuckets, totalBuckets, a, b);
        var posterior = LogBetaBinomial(canaryBuckets - occupiedCanary, totalBuckets - drawn, a + occupiedCanary, b + drawn - occupiedCanary);
        return new BucketSplitResult(occupiedCanary, occupiedStable, (double)occupiedCanary / drawn, share, prior - posterior);
    }

    /// <summary>ln P(X = k) for X ~ BetaBinomial(n, a, b).</summary>
    private static double LogBetaBinomial(int k, int n, double a, double b) =>
        SpecialFunctions.LogGamma(n + 1.0) - SpecialFunctions.LogGamma(k + 1.0) - SpecialFunctions.LogGamma(n - k + 1.0)
        + SpecialFunctions.LogBeta(k + a, n - k + b) - SpecialFunctions.LogBeta(a, b);
}
