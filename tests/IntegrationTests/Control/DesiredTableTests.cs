using Canary.Contracts.Rollouts;
using Canary.Sidecar.Routing;

namespace Canary.IntegrationTests.Control;

/// <summary>The desired table in a real PostgreSQL: written by the analyzer's side, read by restarted and polling sidecars.</summary>
public sealed class DesiredTableTests
{
    private static RolloutTable Table(long generation, int weight, RolloutState state = RolloutState.Active) => new()
    {
        Generation = generation,
        Rollouts =
        [
            new RolloutDefinition { RouteKey = "chat.example.internal", StableSubset = "v1", CanarySubset = "v2", CanaryWeightBasisPoints = weight, Salt = "integration", State = state },
        ],
    };

    [RequiresPostgresFact]
    public async Task TryWriteAsync_OnlyNewerGenerations_AndReadBack()
    {
        await using var schema = await PostgresSchema.CreateAsync();
        Assert.Null(await DesiredTableStore.ReadAsync(schema.DataSource));

        await DesiredTableSchema.ApplyAsync(schema.DataSource);
        await DesiredTableSchema.ApplyAsync(schema.DataSource);
        Assert.Null(await DesiredTableStore.ReadAsync(schema.DataSource));
        Assert.True(await DesiredTableStore.TryWriteAsync(schema.DataSource, Table(5, 500)));
        Assert.False(await DesiredTableStore.TryWriteAsync(schema.DataSource, Table(5, 900)));
        Assert.False(await DesiredTableStore.TryWriteAsync(schema.DataSource, Table(4, 900)));

        var row = await DesiredTableStore.ReadAsync(schema.DataSource);
        Assert.NotNull(row?.Table);
        Assert.Empty(row.Errors);
        Assert.Equal(5, row.Table.Generation);
        Assert.Equal(500, row.Table.Rollouts[0].CanaryWeightBasisPoints);
    }

    [RequiresPostgresFact]
    public async Task Sidecar_Restarted_PicksUpTableFromPostgresAndPollsNewer()
    {
        await using var schema = await PostgresSchema.CreateAsync();
        await DesiredTableSchema.ApplyAsync(schema.DataSource);
        await DesiredTableStore.TryWriteAsync(schema.DataSource, Table(5, 500));
        var database = new[] { $"--Canary:Database:ConnectionString={schema.ConnectionString}", "--Canary:Database:PollInterval=00:00:00.2" };

        await using (var sidecar = await ControlSidecar.StartAsync(database))
        {
            var applied = await sidecar.WaitForGenerationAsync(5);
            Assert.Equal(TableSource.Database, applied.Source);

            // A write the sidecar was never pushed: the poll converges on it.
            await DesiredTableStore.TryWriteAsync(schema.DataSource, Table(6, 0, RolloutState.RolledBack));
            applied = await sidecar.WaitForGenerationAsync(6);
            Assert.True(applied.Routes[0].RolledBack);
        }

        await DesiredTableStore.TryWriteAsync(schema.DataSource, Table(7, 2500));
        await using (var restarted = await ControlSidecar.StartAsync(database))
        {
            var applied = await restarted.WaitForGenerationAsync(7);
            Assert.Equal(TableSource.Database, applied.Source);
            Assert.Equal(2500, applied.Routes[0].WeightBasisPoints);
        }
    }

    [RequiresPostgresFact]
    public async Task Sidecar_DatabaseDownAtStart_StartsFromCacheFileElseStable()
    {
        await using var schema = await PostgresSchema.CreateAsync();
        await DesiredTableSchema.ApplyAsync(schema.DataSource);
        await DesiredTableStore.TryWriteAsync(schema.DataSource, Table(12, 1500));
        var directory = Directory.CreateTempSubdirectory("canary-cache-").FullName;
        try
        {
            var cacheFile = Path.Combine(directory, "table.json");
            await using (var sidecar = await ControlSidecar.StartAsync($"--Canary:Database:ConnectionString={schema.ConnectionString}", $"--Canary:Control:CacheFile={cacheFile}"))
            {
                await sidecar.WaitForGenerationAsync(12);
            }

            Assert.True(File.Exists(cacheFile));

            // Nothing listens on port 1: the database is down for this sidecar.
            var down = "Host=127.0.0.1;Port=1;Username=nobody;Timeout=2";
            await using (var sidecar = await ControlSidecar.StartAsync($"--Canary:Database:ConnectionString={down}", $"--Canary:Control:CacheFile={cacheFile}"))
            {
                Assert.Equal(12, sidecar.Tables.Current.Generation);
                Assert.Equal(TableSource.Cache, sidecar.Tables.Current.Source);
                Assert.Equal(1500, sidecar.Tables.Current.Routes[0].WeightBasisPoints);
            }

            await using (var sidecar = await ControlSidecar.StartAsync($"--Canary:Database:ConnectionString={down}"))
            {
                Assert.Equal(TableSource.None, sidecar.Tables.Current.Source);
                Assert.Empty(sidecar.Tables.Current.Routes);
            }
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }
}
