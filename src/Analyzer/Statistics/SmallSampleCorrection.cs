namespace Canary.Analyzer.Statistics;

/// <summary>
/// The price of estimating a variance from few independent units. A user-level variance comes from the arms' user
/// groups; when a few heavy users carry most of the traffic, the effective number of groups is small and the variance
/// estimate itself is noisy, so the studentized estimate has tails like Student's t, not the normal's (Cameron and
/// Miller 2015, "A practitioner's guide to cluster-robust inference", J. Human Resources 50(2), recommend t with few
/// clusters; Carter, Schnepel and Steigerwald 2017, Rev. Econ. Stat. 99(4), count clusters by their effective number).
/// The variance is scaled by (t_ν⁻¹(1 − α) / z⁻¹(1 − α))², so that a test at level α has the tail probability of t_ν,
/// not of the normal; ν comes from <see cref="PooledHeterogeneity"/>.
/// </summary>
internal static class SmallSampleCorrection
{
    /// <summary>Above this many degrees of freedom the normal is used as is.</summary>
    private const double NormalBeyond = 1e4;

    // Factors for ν on a grid of 1 % steps (ν rounded up, so the factor errs wide), per level: a look evaluates each
    // guard with a fresh ν, and the t quantile is an iterative root search worth computing once.
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<(double Alpha, double Df), double> Cache = new();

    /// <summary>The factor (≥ 1) on a variance with ν degrees of freedom for a one-sided test at level α.</summary>
    public static double VarianceFactor(double degreesOfFreedom, double alpha)
    {
        if (!(degreesOfFreedom < NormalBeyond))
        {
            return 1;
        }

        var df = Math.Max(1, degreesOfFreedom);
        var grid = Math.Pow(1.01, Math.Floor(Math.Log(df) / Math.Log(1.01)));
        return Cache.GetOrAdd((alpha, grid), static key =>
        {
            var z = -StandardNormal.Quantile(key.Alpha);
            var t = StudentT.UpperQuantile(key.Alpha, key.Df);
            var ratio = t / z;
            return Math.Max(1, ratio * ratio);
        });
    }
}
