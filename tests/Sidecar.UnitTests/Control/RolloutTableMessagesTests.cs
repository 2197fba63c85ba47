using Canary.Contracts.Rollouts;
using V1 = Canary.Contracts.V1;

namespace Canary.Sidecar.UnitTests.Control;

public sealed class RolloutTableMessagesTests
{
    private static readonly RolloutTable Table = new()
    {
        Generation = 42,
        Rollouts =
        [
            new RolloutDefinition
            {
                RouteKey = "gpt-chat", StableSubset = "v1", CanarySubset = "v2", CanaryWeightBasisPoints = 500, Salt = "s-1",
                State = RolloutState.Paused, ForcedCanaryUsers = ["tester"], OptInHeader = "x-canary-opt-in",
                ExcludedUsers = ["vip-1", "vip-2"], ExcludedTenants = ["bank"],
            },
            new RolloutDefinition { RouteKey = "embed", StableSubset = "a", CanarySubset = "b", CanaryWeightBasisPoints = 0, Salt = "s-2", State = RolloutState.RolledBack },
        ],
    };

    [Fact]
    public void ToMessageFromMessage_RoundTrip_Equal()
    {
        var message = RolloutTableMessages.ToMessage(Table);
        var parsed = RolloutTableMessages.FromMessage(V1.RolloutTable.Parser.ParseFrom(Google.Protobuf.MessageExtensions.ToByteArray(message)), out var errors);

        Assert.Empty(errors);
        Assert.NotNull(parsed);
        Assert.Equal(RolloutTableJson.Write(Table), RolloutTableJson.Write(parsed));
        Assert.True(message.Rollouts[0].HasOptInHeader);
        Assert.False(message.Rollouts[1].HasOptInHeader);
        Assert.Null(parsed.Rollouts[1].OptInHeader);
        Assert.Equal(V1.RolloutState.RolledBack, message.Rollouts[1].State);
    }

    [Fact]
    public void FromMessage_ManyProblems_ListsEveryError()
    {
        var message = new V1.RolloutTable
        {
            Generation = -1,
            Rollouts =
            {
                new V1.Rollout { RouteKey = "a", StableSubset = "s", CanarySubset = "s", CanaryWeightBasisPoints = 10_001, Salt = "", State = V1.RolloutState.Unspecified },
                new V1.Rollout { RouteKey = "a", StableSubset = "bad subset", CanarySubset = "c", CanaryWeightBasisPoints = 5, Salt = "x", State = (V1.RolloutState)9, OptInHeader = "X-Upper" },
            },
        };

        var table = RolloutTableMessages.FromMessage(message, out var errors);

        Assert.Null(table);
        Assert.Contains("rollouts[0].state: must be ACTIVE, PAUSED or ROLLED_BACK, was 0", errors);
        Assert.Contains("rollouts[1].state: must be ACTIVE, PAUSED or ROLLED_BACK, was 9", errors);
        Assert.Contains(errors, e => e.StartsWith("generation:", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("rollouts[0].canarySubset: must differ", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("rollouts[0].canaryWeightBasisPoints", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("rollouts[0].salt", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("rollouts[1].routeKey: \"a\" is already used", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("rollouts[1].stableSubset", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("rollouts[1].optInHeader", StringComparison.Ordinal));
        Assert.Equal(9, errors.Count);
    }

    [Fact]
    public void FromMessage_MissingTable_Error()
    {
        Assert.Null(RolloutTableMessages.FromMessage(null, out var errors));
        Assert.Equal("table: missing", Assert.Single(errors));
    }
}
