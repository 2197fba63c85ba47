using Canary.Contracts.Rollouts;
using Canary.Sidecar.Model;
using Canary.Sidecar.Routing;

namespace Canary.Sidecar.UnitTests.Routing;

public sealed class SubsetSelectorTests
{
    private static readonly SubsetSelector Selector = new(new SplitMixRequestRandom(42));

    private static RolloutModel Route(int weight, RolloutState state = RolloutState.Active) =>
        new(0, new RolloutDefinition
        {
            RouteKey = "chat",
            StableSubset = "stable",
            CanarySubset = "canary",
            CanaryWeightBasisPoints = weight,
            Salt = "s",
            State = state,
            ForcedCanaryUsers = ["tester"],
            ExcludedUsers = ["vip"],
            ExcludedTenants = ["bank"],
            OptInHeader = "x-opt-in",
        }, 0, new RolloutCounters(), new RouteAnswerCache("x-canary-subset", null, null));

    [Fact]
    public void IsCanary_ForcedUserAtWeightZero_Canary()
    {
        Assert.True(Selector.IsCanary(Route(0), "tester"u8, default, 0, out var reason));
        Assert.Equal(AssignmentReason.Forced, reason);
    }

    [Fact]
    public void IsCanary_ExcludedUserAtFullWeight_Stable()
    {
        Assert.False(Selector.IsCanary(Route(10_000), "vip"u8, default, 1, out var reason));
        Assert.Equal(AssignmentReason.ExcludedUser, reason);
    }

    [Fact]
    public void IsCanary_ExcludedTenant_StableEvenWhenForced()
    {
        Assert.False(Selector.IsCanary(Route(10_000), "tester"u8, "bank"u8, 1, out var reason));
        Assert.Equal(AssignmentReason.ExcludedTenant, reason);
    }

    [Fact]
    public void IsCanary_OptInHeaderAtWeightZero_Canary()
    {
        Assert.True(Selector.IsCanary(Route(0), "someone"u8, default, 1, out var reason));
        Assert.Equal(AssignmentReason.OptIn, reason);
    }

    [Fact]
    public void IsCanary_RolledBack_StableForEveryone()
    {
        var route = Route(10_000, RolloutState.RolledBack);
        Assert.False(Selector.IsCanary(route, "tester"u8, default, 1, out var reason));
        Assert.Equal(AssignmentReason.RolledBack, reason);
        Assert.False(Selector.IsCanary(route, "anyone"u8, default, 0, out _));
    }

    [Fact]
    public void IsCanary_NoUserKey_PerRequestChoiceAtTheWeight()
    {
        var route = Route(2500);
        var canary = 0;
        for (var i = 0; i < 100_000; i++)
        {
            if (Selector.IsCanary(route, default, default, 0, out var reason))
            {
                canary++;
            }

            Assert.Equal(AssignmentReason.NoUserKey, reason);
        }

        Assert.InRange(canary / 1000.0, 24.5, 25.5);
    }

    [Fact]
    public void IsCanary_NoUserKeyAtWeightZero_NeverCanary()
    {
        var route = Route(0);
        for (var i = 0; i < 10_000; i++)
        {
            Assert.False(Selector.IsCanary(route, default, default, 0, out _));
        }
    }
}
