namespace Canary.Analyzer.Statistics;

/// <summary>
/// Mixture sequential probability ratio test (mSPRT) for an asymptotically normal estimate θ̂ with variance V, and the
/// matching always-valid confidence interval.
/// </summary>
/// <remarks>
/// With a N(θ0, τ²) mixing distribution over the alternative the likelihood ratio of θ̂ ~ N(θ, V) is
/// Λ = sqrt(V/(V+τ²)) · exp(τ²(θ̂−θ0)² / (2V(V+τ²))) (Robbins 1970; Johari, Koomen, Pekelis, Walsh 2017/2022,
/// "Always valid inference: continuous monitoring of A/B tests", Operations Research 70(3)). Restricting the mixture to one
/// side (a half-normal) multiplies it by 2Φ(b), b = (θ̂−θ0)/V / sqrt(1/V + 1/τ²), which gives the one-sided tests used for
/// rollback (worse) and promotion (within margin) decisions. For estimates that are only asymptotically normal (quantiles
/// and means from histograms) the guarantee is asymptotic, as in Waudby-Smith, Arbour, Sinha, Kennedy, Ramdas (2024),
/// "Time-uniform central limit theory and asymptotic confidence sequences", Ann. Statist. 52(6).
/// </remarks>
internal static class NormalMixtureTest
{
    private const double Ln2 = 0.69314718055994531;

    /// <summary>ln Λ of the one-sided mSPRT of H0: θ ≤ θ0 (Greater) or H0: θ ≥ θ0 (Less).</summary>
    public static double LogEvidence(double estimate, double variance, double nullValue, Alternative alternative, double tau)
    {
        Validate(variance, tau);
        var shift = alternative == Alternative.Greater ? estimate - nullValue : nullValue - estimate;
        var tau2 = tau * tau;
        var twoSided = (0.5 * Math.Log(variance / (variance + tau2)))
                       + (tau2 * shift * shift / (2 * variance * (variance + tau2)));
        var b = shift / variance / Math.Sqrt((1 / variance) + (1 / tau2));
        return Ln2 + StandardNormal.LogCdf(b) + twoSided;
    }

    /// <summary>
    /// Half-width of the two-sided always-valid (1 − α) interval θ̂ ± h: the set of θ0 the two-sided mSPRT does not reject.
    /// </summary>
    public static double HalfWidth(double variance, double tau, double alpha)
    {
        Validate(variance, tau);
        if (!(alpha > 0 && alpha < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(alpha), alpha, "Needs 0 < α < 1.");
        }

        var tau2 = tau * tau;
        var ratio = (variance + tau2) / variance;
        return Math.Sqrt(2 * variance * ((variance + tau2) / tau2) * ((0.5 * Math.Log(ratio)) - Math.Log(alpha)));
    }

    private static void Validate(double variance, double tau)
    {
        if (!(variance > 0) || double.IsInfinity(variance))
        {
            throw new ArgumentOutOfRangeException(nameof(variance), variance, "Needs a finite variance > 0.");
        }

        if (!(tau > 0) || double.IsInfinity(tau))
        {
            throw new ArgumentOutOfRangeException(nameof(tau), tau, "Needs a finite τ > 0.");
        }
    }
}
