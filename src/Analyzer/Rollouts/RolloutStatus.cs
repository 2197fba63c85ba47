namespace Canary.Analyzer.Rollouts;

/// <summary>Where a rollout stands in its lifecycle, as the analyzer tracks it.</summary>
internal enum RolloutStatus
{
    Running,
    Paused,
    RolledBack,
    Completed,
}
