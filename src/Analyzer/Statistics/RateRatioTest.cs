namespace Canary.Analyzer.Statistics;

/// <summary>
/// Sequential comparison of two event rates (errors, refusals per request) on the ratio scale, exact for rare events.
/// </summary>
/// <remarks>
/// Method: the conditional binomial test of a ratio of Poisson rates (Przyborowski and Wileński 1940; the UMP unbiased
/// test for two Poisson means in Lehmann and Romano, "Testing Statistical Hypotheses"), made sequential. With x_c canary
/// events out of n_c requests and x_s of n_s, given the total x = x_c + x_s each event belongs to the canary with
/// probability π = e·r / (e·r + 1), where e = n_c / n_s is the exposure ratio and r the rate ratio. So "r ≤ r0" is "π ≤ π0 = e·r0 / (e·r0 + 1)", a one-sample
/// Bernoulli hypothesis on the sequence of events, tested with <see cref="BernoulliMixtureTest"/> (always valid). It
/// needs no normal approximation, so it behaves with 0, 1 or 5 events, where Wald and Mann-Whitney tests on sparse
/// counts break (Kayenta #426). Assumptions: requests are independent within an arm; rates are small enough that the
/// Poisson model holds. For larger proportions the Poisson variance np exceeds the binomial np(1−p), which makes the test
/// conservative, not liberal. The exposure ratio is the cumulative one of the look, which is exact when the split is
/// constant over the window (it is, within a stage, and the split-mismatch guard checks it).
/// Users, not requests, are randomized, so requests of one user are not independent. Each arm's counts are divided by
/// its design effect d ≥ 1 (the user-level variance of its rate over the independent one, <see cref="DesignEffect"/>)
/// before the test: the Rao–Scott adjustment for clustered binary data (Rao and Scott 1992, "A simple method for the
/// analysis of clustered binary data", Biometrics 48(2)), which keeps the estimate and scales the information down to
/// what the users really carry. With d = 1 the test is the exact one above; with d &gt; 1 it is exact for the adjusted
/// counts and asymptotically valid for the clustered data.
/// </remarks>
internal static class RateRatioTest
{
    /// <summary>
    /// Compares canary events/requests with stable events/requests; each arm's counts are divided by its design effect
    /// (1: requests independent).
    /// </summary>
    public static RatioEvidence Compare(
        long canaryEvents,
        long canaryTrials,
        long stableEvents,
        long stableTrials,
        RatioHypotheses hypotheses,
        double canaryDesignEffect = 1,
        double stableDesignEffect = 1)
    {
        if (canaryTrials <= 0 || stableTrials <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(canaryTrials), "Both arms need at least one request.");
        }

        if (canaryEvents < 0 || stableEvents < 0 || canaryEvents > canaryTrials || stableEvents > stableTrials)
        {
            throw new ArgumentOutOfRangeException(nameof(canaryEvents), "Events must be between 0 and the requests.");
        }

        if (!(canaryDesignEffect >= 1) || !(stableDesignEffect >= 1) || double.IsInfinity(canaryDesignEffect) || double.IsInfinity(stableDesignEffect))
        {
            throw new ArgumentOutOfRangeException(nameof(canaryDesignEffect), "Design effects must be finite and at least 1.");
        }

        var canaryRate = (double)canaryEvents / canaryTrials;
        var stableRate = (double)stableEvents / stableTrials;

        // Rao–Scott: the adjusted counts keep each arm's rate and carry the information of independent observations.
        var canaryX = canaryEvents / canaryDesignEffect;
        var stableX = stableEvents / stableDesignEffect;
        var exposure = canaryTrials / canaryDesignEffect / (stableTrials / stableDesignEffect);

        // The estimate and interval add 0.5 to each count (Haldane) so they stay finite with zero events; the verdicts use
        // the exact mixture tests, the interval is for people reading the record.
        var logRatio = Math.Log((canaryX + 0.5) / (stableX + 0.5) / exposure);
        var variance = (1 / (canaryX + 0.5)) + (1 / (stableX + 0.5));
        var halfWidth = NormalMixtureTest.HalfWidth(variance, hypotheses.Tau, hypotheses.IntervalAlpha);

        var better = hypotheses.BetterRatio is { } betterRatio
            ? Evidence(canaryX, stableX, exposure, betterRatio, Alternative.Less, hypotheses.Tau)
            : double.NaN;
        return new RatioEvidence(
            canaryRate,
            stableRate,
            stableEvents == 0 ? (canaryEvents == 0 ? 1 : double.PositiveInfinity) : canaryRate / stableRate,
            Math.Exp(logRatio - halfWidth),
            Math.Exp(logRatio + halfWidth),
            Evidence(canaryX, stableX, exposure, 1, Alternative.Greater, hypotheses.Tau),
            Evidence(canaryX, stableX, exposure, hypotheses.MarginRatio, Alternative.Greater, hypotheses.Tau),
            Evidence(canaryX, stableX, exposure, hypotheses.MarginRatio, Alternative.Less, hypotheses.Tau),
            better);
    }

    /// <summary>
    /// ln Λ for H0: canary rate ≤ (Greater) or ≥ (Less) <paramref name="nullRatio"/> × stable rate, given the counts.
    /// </summary>
    public static double Evidence(double canaryEvents, double stableEvents, double exposure, double nullRatio, Alternative alternative, double tau)
    {
        var weighted = exposure * nullRatio;
        var nullProbability = weighted / (weighted + 1);
        return BernoulliMixtureTest.LogEvidence(canaryEvents, stableEvents, nullProbability, alternative, tau);
    }

    /// <summary>
    /// Fixed-sample (single look) exact p-value of the conditional binomial test of H0: canary rate ≤ r0 × stable rate
    /// (Greater) or ≥ (Less). Valid for one look only; the engine uses the sequential form.
    /// </summary>
    public static double FixedSamplePValue(long canaryEvents, long canaryTrials, long stableEvents, long stableTrials, double nullRatio, Alternative alternative)
    {
        var weighted = (double)canaryTrials / stableTrials * nullRatio;
        var pi0 = weighted / (weighted + 1);
        var total = canaryEvents + stableEvents;

        // P(Bin(x, π0) ≥ k) = I_π0(k, x − k + 1); P(Bin(x, π0) ≤ k) = 1 − I_π0(k + 1, x − k).
        if (alternative == Alternative.Greater)
        {
            return canaryEvents == 0 ? 1 : SpecialFunctions.IncompleteBeta(pi0, canaryEvents, total - canaryEvents + 1);
        }

        return canaryEvents == total
            ? 1
            : Math.Exp(SpecialFunctions.LogIncompleteBeta(pi0, canaryEvents + 1, total - canaryEvents, upper: true));
    }
}
