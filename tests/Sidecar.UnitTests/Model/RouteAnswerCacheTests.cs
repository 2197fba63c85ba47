using Canary.Contracts.Rollouts;
using Canary.Sidecar.Configuration;
using Canary.Sidecar.Model;
using Canary.Sidecar.Wire;

namespace Canary.Sidecar.UnitTests.Model;

public class RouteAnswerCacheTests
{
    private static readonly RoutingSettings Headers = new(new RoutingOptions { ServedSubsetHeader = "x-served-subset" });

    private static RolloutDefinition Rollout(string routeKey, string canary) => new()
    {
        RouteKey = routeKey,
        StableSubset = "stable",
        CanarySubset = canary,
        CanaryWeightBasisPoints = 500,
        Salt = "s-" + routeKey,
    };

    private static RolloutTableModel Build(RolloutTableModel? previous, params RolloutDefinition[] rollouts) =>
        RolloutTableModel.Build(new RolloutTable { Generation = 1, Rollouts = rollouts }, Headers, previous, DateTimeOffset.UnixEpoch, TableSource.Push);

    [Fact]
    public void Build_RoutesNamingTheSameSubset_ShareOneAnswerWithTheSameBytes()
    {
        var snapshot = Build(null, Rollout("a", "canary"), Rollout("b", "canary"), Rollout("c", "v3"));
        var (a, b, c) = (snapshot.Routes[0], snapshot.Routes[1], snapshot.Routes[2]);

        Assert.Same(a.StableAnswer, c.StableAnswer);
        Assert.Same(a.CanaryAnswer, b.CanaryAnswer);
        Assert.NotSame(a.CanaryAnswer, c.CanaryAnswer);
        Assert.Same(a.ServedSubsetAnswers![3], b.ServedSubsetAnswers![3]);
        Assert.Equal(ProcessingAnswers.SetRequestHeader(Headers.SubsetHeaderName, "v3").Payload.ToArray(), c.CanaryAnswer.Payload.ToArray());
        Assert.Equal(
            ProcessingAnswers.ResponseHeadersWithServedSubset("x-served-subset", "canary", streamBody: true).Payload.ToArray(),
            a.ServedSubsetAnswers[3].Payload.ToArray());
    }

    [Fact]
    public void Build_OnAPreviousSnapshot_ReusesItsAnswersAndBuildsOnlyNewSubsets()
    {
        var first = Build(null, Rollout("a", "canary"));
        var second = Build(first, Rollout("a", "canary"), Rollout("b", "v9"));

        Assert.Same(first.Routes[0].CanaryAnswer, second.Routes[0].CanaryAnswer);
        Assert.Same(first.Routes[0].StableAnswer, second.Routes[1].StableAnswer);
        Assert.Equal(ProcessingAnswers.SetRequestHeader(Headers.SubsetHeaderName, "v9").Payload.ToArray(), second.Routes[1].CanaryAnswer.Payload.ToArray());
    }

    [Fact]
    public void Constructor_PreviousForOtherHeaderNames_NotReused()
    {
        var previous = new RouteAnswerCache("x-other-subset", null, null);
        var old = previous.SetSubset("canary");
        previous.Seal();

        var cache = new RouteAnswerCache("x-canary-subset", null, previous);

        Assert.NotSame(old, cache.SetSubset("canary"));
        Assert.Equal(ProcessingAnswers.SetRequestHeader("x-canary-subset", "canary").Payload.ToArray(), cache.SetSubset("canary").Payload.ToArray());
    }

    [Fact]
    public void Seal_ThenAnUnknownSubset_ThrowsButKnownOnesAreStillServed()
    {
        var cache = new RouteAnswerCache("x-canary-subset", null, null);
        var known = cache.SetSubset("canary");
        cache.Seal();

        Assert.Same(known, cache.SetSubset("canary"));
        Assert.Throws<InvalidOperationException>(() => cache.SetSubset("other"));
    }
}
