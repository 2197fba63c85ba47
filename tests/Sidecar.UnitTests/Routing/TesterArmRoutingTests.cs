using Canary.Contracts.Rollouts;
using Canary.Contracts.Telemetry;
using Canary.Sidecar.Model;
using Canary.Sidecar.Telemetry.Recording;

namespace Canary.Sidecar.UnitTests.Routing;

public sealed class TesterArmRoutingTests
{
    private static RolloutDefinition Definition(params string[] forced) => new()
    {
        RouteKey = "chat",
        StableSubset = "v1",
        CanarySubset = "v2",
        CanaryWeightBasisPoints = 0,
        Salt = "s",
        ForcedCanaryUsers = forced,
    };

    [Theory]
    [InlineData((int)AssignmentReason.Forced)]
    [InlineData((int)AssignmentReason.OptIn)]
    public void ArmFor_TesterReasons_TestersArmNotCanaryArm(int reasonValue)
    {
        var reason = (AssignmentReason)reasonValue;
        var registry = new TelemetryRegistry();
        var route = new RolloutModel(0, Definition("alice"), "x-canary-subset", optInHeaderIndex: 0, new RolloutCounters(), registry);

        var arm = route.ArmFor(canary: true, reason);

        Assert.Same(route.TestersArm, arm);
        Assert.NotSame(route.CanaryArm, arm);
        Assert.True(registry.TryGetArm("chat", "v2:testers", out var registered));
        Assert.Same(registered, arm);
    }

    [Theory]
    [InlineData((int)AssignmentReason.Sticky)]
    [InlineData((int)AssignmentReason.NoUserKey)]
    public void ArmFor_SampledCanaryUsers_CanaryArm(int reasonValue)
    {
        var reason = (AssignmentReason)reasonValue;
        var route = new RolloutModel(0, Definition("alice"), "x-canary-subset", optInHeaderIndex: -1, new RolloutCounters(), new TelemetryRegistry());

        Assert.Same(route.CanaryArm, route.ArmFor(canary: true, reason));
        Assert.Same(route.StableArm, route.ArmFor(canary: false, reason));
    }

    [Fact]
    public void Constructor_NoForcedUsersNorOptIn_NoTestersArmRegistered()
    {
        var registry = new TelemetryRegistry();

        var route = new RolloutModel(0, Definition(), "x-canary-subset", optInHeaderIndex: -1, new RolloutCounters(), registry);

        Assert.Null(route.TestersArm);
        Assert.False(registry.TryGetArm("chat", TesterArm.SubsetFor("v2"), out _));
    }

    [Fact]
    public void ArmFor_TesterRequest_DoesNotAllocate()
    {
        var route = new RolloutModel(0, Definition("alice"), "x-canary-subset", optInHeaderIndex: 0, new RolloutCounters(), new TelemetryRegistry());
        AllocationAssert.None(() =>
        {
            for (var i = 0; i < 1000; i++)
            {
                route.ArmFor(canary: true, AssignmentReason.Forced);
            }
        });
    }

    [Theory]
    [InlineData("v2:testers", true)]
    [InlineData("v2", false)]
    [InlineData("testers", false)]
    public void IsTesterSubset_Label_RecognisesSuffix(string subset, bool expected)
    {
        Assert.Equal(expected, TesterArm.IsTesterSubset(subset));
    }
}
