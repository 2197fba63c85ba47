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

    /// <summary>The rollout with this route key, or null (route keys are unique in a valid table).</summary>
    public RolloutDefinition? Find(string routeKey)
    {
        foreach (var rollout in Rollouts)
        {
            if (rollout.RouteKey == routeKey)
            {
                return rollout;
            }
        }

        return null;
    }
}
