namespace Canary.Contracts.Rollouts;

/// <summary>Converts between the control API's messages and <see cref="RolloutTable"/>; reading reports every error at once.</summary>
public static class RolloutTableMessages
{
    public static V1.RolloutTable ToMessage(RolloutTable table)
    {
        var message = new V1.RolloutTable { Generation = table.Generation };
        foreach (var rollout in table.Rollouts)
        {
            var item = new V1.Rollout
            {
                RouteKey = rollout.RouteKey,
                StableSubset = rollout.StableSubset,
                CanarySubset = rollout.CanarySubset,
                CanaryWeightBasisPoints = rollout.CanaryWeightBasisPoints,
                Salt = rollout.Salt,
                State = ToMessage(rollout.State),
                QualitySampleBasisPoints = rollout.QualitySampleBasisPoints,
            };
            if (rollout.OptInHeader is not null)
            {
                item.OptInHeader = rollout.OptInHeader;
            }

            if (rollout.StableModel is not null)
            {
                item.StableModel = rollout.StableModel;
            }

            if (rollout.CanaryModel is not null)
            {
                item.CanaryModel = rollout.CanaryModel;
            }

            item.ForcedCanaryUsers.Add(rollout.ForcedCanaryUsers);
            item.ExcludedUsers.Add(rollout.ExcludedUsers);
            item.ExcludedTenants.Add(rollout.ExcludedTenants);
            message.Rollouts.Add(item);
        }

        return message;
    }

    /// <summary>The table, or null with every problem listed (missing table, unset or unknown states, validation).</summary>
    public static RolloutTable? FromMessage(V1.RolloutTable? message, out IReadOnlyList<string> errors)
    {
        if (message is null)
        {
            errors = ["table: missing"];
            return null;
        }

        var found = new List<string>();
        var rollouts = new List<RolloutDefinition>(message.Rollouts.Count);
        for (var i = 0; i < message.Rollouts.Count; i++)
        {
            var item = message.Rollouts[i];
            if (!TryFromMessage(item.State, out var state))
            {
                found.Add($"rollouts[{i}].state: must be ACTIVE, PAUSED or ROLLED_BACK, was {(int)item.State}");
            }

            rollouts.Add(new RolloutDefinition
            {
                RouteKey = item.RouteKey,
                StableSubset = item.StableSubset,
                CanarySubset = item.CanarySubset,
                CanaryWeightBasisPoints = item.CanaryWeightBasisPoints,
                Salt = item.Salt,
                State = state,
                OptInHeader = item.HasOptInHeader ? item.OptInHeader : null,
                ForcedCanaryUsers = [.. item.ForcedCanaryUsers],
                ExcludedUsers = [.. item.ExcludedUsers],
                ExcludedTenants = [.. item.ExcludedTenants],
                StableModel = item.HasStableModel ? item.StableModel : null,
                CanaryModel = item.HasCanaryModel ? item.CanaryModel : null,
                QualitySampleBasisPoints = item.QualitySampleBasisPoints,
            });
        }

        var table = new RolloutTable { Generation = message.Generation, Rollouts = rollouts };
        found.AddRange(RolloutTableValidator.Validate(table));
        errors = found;
        return found.Count == 0 ? table : null;
    }

    public static V1.RolloutState ToMessage(RolloutState state) => state switch
    {
        RolloutState.Active => V1.RolloutState.Active,
        RolloutState.Paused => V1.RolloutState.Paused,
        RolloutState.RolledBack => V1.RolloutState.RolledBack,
        _ => throw new ArgumentOutOfRangeException(nameof(state), state, null),
    };

    private static bool TryFromMessage(V1.RolloutState message, out RolloutState state)
    {
        switch (message)
        {
            case V1.RolloutState.Active:
                state = RolloutState.Active;
                return true;
            case V1.RolloutState.Paused:
                state = RolloutState.Paused;
                return true;
            case V1.RolloutState.RolledBack:
                state = RolloutState.RolledBack;
                return true;
            default:
                state = RolloutState.Active;
                return false;
        }
    }
}
