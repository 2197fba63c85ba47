namespace Canary.Analyzer.Statistics;

/// <summary>
/// Always-valid one-sided test of a Bernoulli success probability: a truncated-Beta mixture likelihood ratio.
/// </summary>
/// <remarks>
/// For H0: π ≤ π0 against H1: π &gt; π0 the statistic is
/// Λ = ∫_{π&gt;π0} π^s (1−π)^f dG(π) / (π0^s (1−π0)^f), with G a Beta(cπ0, c(1−π0)) prior truncated to π &gt; π0.
/// Each factor (π/π0)^X ((1−π)/(1−π0))^(1−X) has expectation ≤ 1 under any π ≤ π0, so Λ is a nonnegative
/// supermartingale under the whole composite null and Ville's inequality gives P(sup_t Λ_t ≥ 1/α) ≤ α: the test may be
/// looked at after every observation, for ever, without inflating its error (Robbins 1970, "Statistical methods related
/// to the law of the iterated logarithm"; Howard, Ramdas, McAuliffe, Sekhon 2021, "Time-uniform, nonparametric,
/// nonasymptotic confidence sequences", Ann. Statist. 49(2)). Λ depends on the data only through (s, f), so only the
/// cumulative counts of a look are needed. The prior is centred on π0 with spread τ on the log-odds scale, which for the
/// conditional rate test below is the log rate-ratio scale: τ should be of the size of the effects that matter.
/// </remarks>
internal static class BernoulliMixtureTest
{
    /// <summary>ln Λ after <paramref name="successes"/> and <paramref name="failures"/>.</summary>
    public static double LogEvidence(double successes, double failures, double nullProbability, Alternative alternative, double tau)
    {
        // Counts may be fractional: rate tests scale them by a design effect (Rao and Scott 1992) for clustered data.
        if (!(successes >= 0) || !(failures >= 0) || double.IsInfinity(successes) || double.IsInfinity(failures))
        {
            throw new ArgumentOutOfRangeException(nameof(successes), "Counts must be finite and not negative.");
        }

        if (!(nullProbability > 0 && nullProbability < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(nullProbability), nullProbability, "Needs 0 < π0 < 1.");
        }

        if (!(tau > 0) || double.IsInfinity(tau))
        {
            throw new ArgumentOutOfRangeException(nameof(tau), tau, "Needs a finite τ > 0.");
        }

        // Var(logit π) ≈ 1/a + 1/b for Beta(a, b); with a = cπ0, b = c(1−π0) that is 1/(c π0 (1−π0)) = τ².
        var concentration = 1 / (tau * tau * nullProbability * (1 - nullProbability));
        var a = concentration * nullProbability;
        var b = concentration * (1 - nullProbability);
        var upper = alternative == Alternative.Greater;
        var posterior = SpecialFunctions.LogBeta(successes + a, failures + b)
                        + SpecialFunctions.LogIncompleteBeta(nullProbability, successes + a, failures + b, upper);
        var prior = SpecialFunctions.LogBeta(a, b) + SpecialFunctions.LogIncompleteBeta(nullProbability, a, b, upper);
        var nullLikelihood = (successes * Math.Log(nullProbability)) + (failures * SpecialFunctions.Log1P(-nullProbability));
        return posterior - prior - nullLikelihood;
    }
}
