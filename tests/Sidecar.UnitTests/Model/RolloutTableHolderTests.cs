using Canary.Contracts.Rollouts;
using Canary.Sidecar.Configuration;
using Canary.Sidecar.Model;
using Microsoft.Extensions.Time.Testing;

namespace Canary.Sidecar.UnitTests.Model;

public sealed class RolloutTableHolderTests
{
    private readonly RolloutTableHolder _tables = new(new RoutingSettings(new RoutingOptions()), new FakeTimeProvider());

    private static RolloutTable Table(long generation) => new()
    {
        Generation = generation,
        Rollouts = [new RolloutDefinition { RouteKey = "chat", StableSubset = "v1", CanarySubset = "v2", CanaryWeightBasisPoints = 100, Salt = "s" }],
    };

    [Fact]
    public void TryApply_OlderOrEqualGeneration_RefusedAndUnchanged()
    {
        Assert.True(_tables.TryApply(Table(5), out _, source: TableSource.Push));
        var applied = _tables.Current;

        Assert.False(_tables.TryApply(Table(5), out var current, source: TableSource.Push));
        Assert.Same(applied, current);
        Assert.False(_tables.TryApply(Table(4), out current, source: TableSource.Database));
        Assert.Same(applied, _tables.Current);
        Assert.Equal(TableSource.Push, _tables.Current.Source);
    }

    [Fact]
    public void TryReplace_SnapshotNoLongerCurrent_Refused()
    {
        _tables.TryApply(Table(5), out var first, source: TableSource.Push);
        var replacement = _tables.Build(Table(5), first, TableSource.Tripwire);
        _tables.TryApply(Table(6), out _, source: TableSource.Push);

        Assert.False(_tables.TryReplace(first, replacement));
        Assert.Equal(6, _tables.Current.Generation);
    }

    [Fact]
    public void TryReplace_Current_InstalledWithSameGenerationAndCountersCarried()
    {
        _tables.TryApply(Table(5), out var first, source: TableSource.Push);
        var replacement = _tables.Build(Table(5), first, TableSource.Tripwire);

        Assert.True(_tables.TryReplace(first, replacement));
        Assert.Same(replacement, _tables.Current);
        Assert.Same(first.Routes[0].Counters, _tables.Current.Routes[0].Counters);
        Assert.False(_tables.TryApply(Table(5), out _, source: TableSource.Database));
    }

    [Fact]
    public async Task TryApply_ConcurrentWriters_ConvergeOnHighestGeneration()
    {
        var writers = Enumerable.Range(0, 4).Select(w => Task.Run(() =>
        {
            for (var g = 1 + w; g <= 400; g += 4)
            {
                _tables.TryApply(Table(g), out _, source: TableSource.Push);
            }
        }));
        await Task.WhenAll(writers);
        Assert.Equal(400, _tables.Current.Generation);
    }
}
