namespace Canary.Analyzer.Rollouts;

/// <summary>Where a rollout stands in its lifecycle, as the analyzer tracks it.</summary>
internal enum RolloutStatus
{
    /// <summary>Stage 1: in the table at weight 0, so only forced users and opt-in requests reach the canary; no
    /// automatic decision until <c>start</c> (with a passing preflight) moves it to its first weight.</summary>
    Testers,

    Running,
    Paused,
    RolledBack,
    Completed,

    /// <summary>Completed, and then <c>finish</c> made the canary the stable version in the table: the lifecycle's end.</summary>
    Finished,
}
