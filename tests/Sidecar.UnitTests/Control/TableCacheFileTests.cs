using Canary.Contracts.Rollouts;
using Canary.Sidecar.Configuration;
using Canary.Sidecar.Control;
using Canary.Sidecar.Model;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Canary.Sidecar.UnitTests.Control;

public sealed class TableCacheFileTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("canary-cache-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private static RolloutTable Table(long generation, int weight) => new()
    {
        Generation = generation,
        Rollouts = [new RolloutDefinition { RouteKey = "chat", StableSubset = "v1", CanarySubset = "v2", CanaryWeightBasisPoints = weight, Salt = "s" }],
    };

    [Fact]
    public void WriteCurrent_AfterEachApply_LoadReturnsLatest()
    {
        var path = Path.Combine(_directory, "table.json");
        var tables = new RolloutTableHolder(new RoutingSettings(new RoutingOptions()), new FakeTimeProvider());
        var cache = new TableCacheFile(path, tables, NullLogger.Instance);
        tables.Applied += _ => cache.WriteCurrent();

        Assert.Null(cache.Load());
        tables.TryApply(Table(3, 100), out _, source: TableSource.Push);
        tables.TryApply(Table(4, 900), out _, source: TableSource.Database);

        var loaded = cache.Load();
        Assert.NotNull(loaded);
        Assert.Equal(4, loaded.Generation);
        Assert.Equal(900, loaded.Rollouts[0].CanaryWeightBasisPoints);
        Assert.Equal(["table.json"], Directory.GetFiles(_directory).Select(Path.GetFileName));
    }

    [Fact]
    public void Load_CorruptFile_NullAndNotThrowing()
    {
        var path = Path.Combine(_directory, "table.json");
        File.WriteAllText(path, "{ \"generation\": 3, \"rollouts\": [ ");
        var tables = new RolloutTableHolder(new RoutingSettings(new RoutingOptions()), new FakeTimeProvider());
        Assert.Null(new TableCacheFile(path, tables, NullLogger.Instance).Load());
    }
}
