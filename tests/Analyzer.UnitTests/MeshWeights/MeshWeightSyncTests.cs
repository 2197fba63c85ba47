using System.Text.Json.Nodes;
using Canary.Analyzer.MeshWeights;
using Canary.Contracts.Rollouts;

namespace Canary.Analyzer.UnitTests.MeshWeights;

public sealed class MeshWeightSyncTests
{
    private static RolloutDefinition Rollout(int basisPoints, RolloutState state = RolloutState.Active) =>
        new() { RouteKey = "chat", StableSubset = "stable", CanarySubset = "canary", Salt = "s", CanaryWeightBasisPoints = basisPoints, State = state };

    [Theory]
    [InlineData(0, RolloutState.Active, 0)]
    [InlineData(500, RolloutState.Active, 5)]
    [InlineData(2550, RolloutState.Active, 26)]
    [InlineData(10, RolloutState.Active, 1)]
    [InlineData(10_000, RolloutState.Active, 100)]
    [InlineData(2500, RolloutState.RolledBack, 0)]
    [InlineData(2500, RolloutState.Paused, 25)]
    public void Percent_TableWeight_WholePercentWithAnyCanaryAtLeastOne(int basisPoints, RolloutState state, int expected) =>
        Assert.Equal(expected, MeshWeightSync.Percent(Rollout(basisPoints, state)));

    [Theory]
    [InlineData("chat.example.internal", "chat.example.internal", true)]
    [InlineData("Chat.Example.Internal", "chat.example.internal", true)]
    [InlineData("chat.example.internal:8443", "chat.example.internal", true)]
    [InlineData("chat.example.internal", "chat", false)]
    [InlineData("gpt-4o", "chat.example.internal", false)]
    [InlineData("[::1]:8080", "::1", false)]
    public void Names_RouteKeyAgainstHost_ExactOrWithPort(string routeKey, string host, bool expected) =>
        Assert.Equal(expected, MeshWeightSync.Names(routeKey, host));

    [Fact]
    public void CurrentWeights_DefaultRouteOfTheChart_CanaryAndStable()
    {
        var vs = JsonNode.Parse("""
            {"spec": {"hosts": ["chat.example.internal"], "http": [
              {"name": "canary", "match": [{"headers": {"x-canary-subset": {"exact": "canary"}}}], "route": [{"destination": {"host": "chat", "subset": "canary"}}]},
              {"name": "default", "route": [{"destination": {"host": "chat", "subset": "stable"}, "weight": 90}, {"destination": {"host": "chat", "subset": "canary"}, "weight": 10}]}
            ]}}
            """)!;
        var options = new MeshWeightOptions { Namespace = "models", VirtualService = "chat" };

        Assert.Equal((10, 90), VirtualServiceWeightEditor.CurrentWeights(vs, options));
        Assert.Null(VirtualServiceWeightEditor.CurrentWeights(vs, options with { CanarySubset = "v3" }));
        Assert.Equal(["chat.example.internal"], VirtualServiceWeightEditor.Hosts(vs));
    }
}
