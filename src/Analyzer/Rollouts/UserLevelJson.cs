namespace Canary.Analyzer.Rollouts;

/// <summary>
/// How a guard's variance treated users, in the audit record: per arm the user groups with samples, Kish's effective
/// number of groups and the design effect (user-level variance over the independent-requests one).
/// </summary>
internal sealed record UserLevelJson(
    int CanaryGroups,
    int StableGroups,
    JsonFigure CanaryEffectiveGroups,
    JsonFigure StableEffectiveGroups,
    JsonFigure CanaryDesignEffect,
    JsonFigure StableDesignEffect);
