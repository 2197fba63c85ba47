using Canary.Contracts.Rollouts;

namespace Canary.Analyzer.Rollouts;

/// <summary>Produces the next desired table: one rollout changed, everything else kept, the generation one higher.</summary>
internal static class TableEdits
{
    public static RolloutTable With(RolloutTable table, string routeKey, Func<RolloutDefinition, RolloutDefinition> change)
    {
        var rollouts = new List<RolloutDefinition>(table.Rollouts.Count);
        var found = false;
        foreach (var rollout in table.Rollouts)
        {
            if (rollout.RouteKey == routeKey)
            {
                rollouts.Add(change(rollout));
                found = true;
            }
            else
            {
                rollouts.Add(rollout);
            }
        }

        if (!found)
        {
            throw new InvalidOperationException($"rollout \"{routeKey}\" is not in the desired table (generation {table.Generation})");
        }

        return new RolloutTable { Generation = table.Generation + 1, Rollouts = rollouts };
    }

    public static RolloutTable Add(RolloutTable table, RolloutDefinition rollout)
    {
        var rollouts = new List<RolloutDefinition>(table.Rollouts.Count + 1);
        foreach (var existing in table.Rollouts)
        {
            if (existing.RouteKey != rollout.RouteKey)
            {
                rollouts.Add(existing);
            }
        }

        rollouts.Add(rollout);
        return new RolloutTable { Generation = table.Generation + 1, Rollouts = rollouts };
    }
}
