namespace Canary.Analyzer.Statistics;

/// <summary>
/// Each arm's user-level variance of ln(estimate), with the between-user part pooled across both arms.
/// </summary>
/// <remarks>
/// An arm's variance is the independent-requests part plus a between-user part that grows with how concentrated the
/// arm's traffic is: with per-user habits of spread ψ (relative), Var ≈ Var_independent + ψ²·C, where C = Σ s_g² is the
/// concentration of the arm's traffic over its groups (1 / effective groups). An arm estimates its own between-user part
/// from the spread of its groups, which works when many groups share its traffic and fails when one heavy user carries
/// it: with one dominant group the spread says nothing about that user's habits. Users are assigned to arms at random, so
/// both arms draw their users from one population with one ψ; ψ² is therefore estimated from both arms (each arm's
/// excess over the independent variance divided by its concentration, weighted by its degrees of freedom) and every arm
/// is charged at least ψ²·C for its own concentration. A canary whose traffic is one heavy user thus gets the variance
/// the stable arm's many users say such a user brings, not the small one its few groups happen to show. The pooled part
/// carries ν = Σ(effective groups − 1) degrees of freedom for the small-sample correction.
/// Pooling is the usual equal-variance assumption of a two-sample test, here on the between-user spread of a ratio: it
/// holds under the null of equal arms, and on the ratio scale for a canary that scales every user's metric alike.
/// </remarks>
internal static class PooledHeterogeneity
{
    public static PooledVariances Combine(ArmLogVariance canary, ArmLogVariance stable)
    {
        var canaryExcess = Excess(canary);
        var stableExcess = Excess(stable);
        var canaryDf = Math.Max(0, canary.EffectiveGroups - 1);
        var stableDf = Math.Max(0, stable.EffectiveGroups - 1);
        var df = canaryDf + stableDf;

        // ψ² per arm is its excess per unit of concentration (concentration = 1 / effective groups).
        var psi2 = df > 0
            ? ((canaryDf * canaryExcess * canary.EffectiveGroups) + (stableDf * stableExcess * stable.EffectiveGroups)) / df
            : 0;
        var canaryBetween = Math.Max(canaryExcess, psi2 / Math.Max(1, canary.EffectiveGroups));
        var stableBetween = Math.Max(stableExcess, psi2 / Math.Max(1, stable.EffectiveGroups));
        var canaryVariance = canary.Independent + canaryBetween;
        var stableVariance = stable.Independent + stableBetween;

        // Welch–Satterthwaite: the independent parts are known exactly, the between-user parts carry the pooled ν.
        var between = canaryBetween + stableBetween;
        var total = canaryVariance + stableVariance;
        var combinedDf = between > 0 && df > 0 ? total * total * Math.Max(1, df) / (between * between) : double.PositiveInfinity;
        return new PooledVariances(
            canaryVariance,
            stableVariance,
            combinedDf,
            canary.Independent > 0 ? canaryVariance / canary.Independent : 1,
            stable.Independent > 0 ? stableVariance / stable.Independent : 1);
    }

    private static double Excess(ArmLogVariance arm) =>
        double.IsFinite(arm.Clustered) && arm.Clustered > arm.Independent ? arm.Clustered - arm.Independent : 0;
}

/// <summary>Both arms' user-level variances of ln(estimate), their degrees of freedom, and each arm's design effect.</summary>
internal readonly record struct PooledVariances(
    double Canary,
    double Stable,
    double DegreesOfFreedom,
    double CanaryDesignEffect,
    double StableDesignEffect);
