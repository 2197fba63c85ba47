namespace Canary.Analyzer.Statistics;

/// <summary>
/// Sample-ratio mismatch check: Pearson's chi-square goodness of fit (1 degree of freedom) of the observed canary/stable
/// split against the configured canary share.
/// </summary>
/// <remarks>
/// A mismatch means the arms are no longer comparable (stickiness bugs, retries, clients dropping the user header, a
/// canary that crashes before the sidecar records), so comparisons are not trusted (Fabijan et al. 2019, "Diagnosing
/// sample ratio mismatch in online controlled experiments", KDD). The unit should be the assignment unit; with sticky
/// per-user assignment and request counts, heavy users add variance the test does not model, which is why the engine
/// also requires a minimum relative deviation before it calls a mismatch.
/// </remarks>
internal static class SampleRatioMismatchTest
{
    public static SampleRatioMismatchResult Evaluate(long canaryCount, long stableCount, double expectedCanaryShare)
    {
        if (canaryCount < 0 || stableCount < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(canaryCount), "Counts must not be negative.");
        }

        if (!(expectedCanaryShare > 0 && expectedCanaryShare < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(expectedCanaryShare), expectedCanaryShare, "Needs 0 < share < 1.");
        }

        var total = canaryCount + stableCount;
        if (total == 0)
        {
            return new SampleRatioMismatchResult(double.NaN, expectedCanaryShare, 0, 1);
        }

        var expectedCanary = total * expectedCanaryShare;
        var expectedStable = total * (1 - expectedCanaryShare);
        var dc = canaryCount - expectedCanary;
        var ds = stableCount - expectedStable;
        var chiSquare = (dc * dc / expectedCanary) + (ds * ds / expectedStable);
        return new SampleRatioMismatchResult((double)canaryCount / total, expectedCanaryShare, chiSquare, ChiSquared.Survival(chiSquare, 1));
    }
}
