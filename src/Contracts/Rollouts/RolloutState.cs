namespace Canary.Contracts.Rollouts;

/// <summary>Lifecycle state of one rollout as the sidecars apply it.</summary>
public enum RolloutState
{
    /// <summary>Users are split at the configured canary weight.</summary>
    Active,

    /// <summary>The split is frozen at its weight; the analyzer does not move it.</summary>
    Paused,

    /// <summary>Everyone is on stable, whatever the configured weight says.</summary>
    RolledBack,
}
