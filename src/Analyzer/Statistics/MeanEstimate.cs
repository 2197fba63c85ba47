namespace Canary.Analyzer.Statistics;

/// <summary>
/// An arm's estimate of a positive mean (e.g. cost per request) with the variance of its logarithm, so two arms compare
/// with <see cref="LogRatioTest"/>: ln(canary/stable) has variance <c>LogVariance</c>(canary) + <c>LogVariance</c>(stable).
/// </summary>
internal readonly record struct MeanEstimate(double Mean, double LogVariance, long Count)
{
    /// <summary>
    /// The mean of a ratio over user groups (spend over requests): Var(ln x̄) is the delete-a-group jackknife variance over
    /// x̄², so the spread between users, and the covariance of whatever the ratio divides, are measured, not bounded.
    /// </summary>
    public static MeanEstimate FromGroups(GroupedRatio ratio, long count)
    {
        var mean = ratio.Ratio;
        return new(mean, mean > 0 ? ratio.JackknifeVariance() / (mean * mean) : double.PositiveInfinity, count);
    }

    /// <summary>Delta method: Var(ln x̄) ≈ s² / (n·x̄²).</summary>
    public static MeanEstimate FromMoments(double mean, double variance, long count) =>
        new(mean, count > 0 && mean > 0 ? variance / (count * mean * mean) : double.PositiveInfinity, count);

    /// <summary>
    /// This mean spread over a share p = successes / requests of the requests, i.e. total / successes. ln(x̄ / p̂) has
    /// variance Var(ln x̄) + (1 − p̂) / (n·p̂); the covariance of spend with success is left out, which overstates the
    /// variance when spend goes with success (it does: failures are mostly unbilled), so the test stays conservative.
    /// </summary>
    public MeanEstimate PerSuccess(long successes, long requests)
    {
        if (successes <= 0 || requests <= 0 || successes > requests)
        {
            return new MeanEstimate(double.NaN, double.PositiveInfinity, Math.Max(0, successes));
        }

        var share = (double)successes / requests;
        return new MeanEstimate(Mean * Count / successes, LogVariance + ((1 - share) / (requests * share)), successes);
    }
}
