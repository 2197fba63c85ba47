namespace Canary.Contracts.Rollouts;

/// <summary>
/// The whole desired routing state: every rollout, stamped with a generation that only grows, so a sidecar can refuse
/// a stale table and everyone can tell which table is newest.
/// </summary>
public sealed record RolloutTable
{
    public static readonly RolloutTable Empty = new() { Generation = 0, Rollouts = [] };

    public long Generation { get; init; }

    public required IReadOnlyList<RolloutDefinition> Rollouts { get; init; }
}
