namespace Canary.Analyzer.Decisions;

/// <summary>
/// The user-level side of one guard's comparison: per arm, the user groups that contributed samples, Kish's effective
/// number of groups (near 1 when one heavy user carries the arm), and the design effect, the user-level variance of the
/// arm's estimate over the variance its requests would give if they were independent (1 = no clustering seen).
/// </summary>
internal readonly record struct UserLevelVariance(
    int CanaryGroups,
    int StableGroups,
    double CanaryEffectiveGroups,
    double StableEffectiveGroups,
    double CanaryDesignEffect,
    double StableDesignEffect);
