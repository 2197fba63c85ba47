using Canary.Contracts.Rollouts;
using Canary.IntegrationTests.Postgres;
using Canary.Sidecar.Model;

namespace Canary.IntegrationTests.Control;

/// <summary>The desired table in a real PostgreSQL: written by the analyzer's side, read by restarted and polling sidecars.</summary>
[Collection(PostgresCollection.Name)]
public sealed class DesiredTableTests
{
    private readonly PostgresServerFixture _postgres;

    public DesiredTableTests(PostgresServerFixture postgres)
    {
        _postgres = postgres;
    }

    private static RolloutTable Table(long generation, int weight, RolloutState state = RolloutState.Active) => new()
    {
        Generation = generation,
        Rollouts =
        [
            new RolloutDefinition { RouteKey = "chat.example.internal", StableSubset = "v1", CanarySubset = "v2", CanaryWeightBasisPoints = weight, Salt = "integration", State = state },
        ],
    };

    [PostgresFact]
    public async Task TryWriteAsync_OnlyNewerGenerations_AndReadBack()
    {
        await using var dataSource = await _postgres.CreateDatabaseAsync();
        Assert.Null(await DesiredTableStore.ReadAsync(dataSource));

        await DesiredTableSchema.ApplyAsync(dataSource);
        await DesiredTableSchema.ApplyAsync(dataSource);
        Assert.Null(await DesiredTableStore.ReadAsync(dataSource));
        Assert.True(await DesiredTableStore.TryWriteAsync(dataSource, Table(5, 500)));
        Assert.False(await DesiredTableStore.TryWriteAsync(dataSource, Table(5, 900)));
        Assert.False(await DesiredTableStore.TryWriteAsync(dataSource, Table(4, 900)));

        var row = await DesiredTableStore.ReadAsync(dataSource);
        Assert.NotNull(row?.Table);
        Assert.Empty(row.Errors);
        Assert.Equal(5, row.Table.Generation);
        Assert.Equal(500, row.Table.Rollouts[0].CanaryWeightBasisPoints);
    }

    [PostgresFact]
    public async Task Sidecar_Restarted_PicksUpTableFromPostgresAndPollsNewer()
    {
        await using var dataSource = await _postgres.CreateDatabaseAsync();
        await DesiredTableSchema.ApplyAsync(dataSource);
        await DesiredTableStore.TryWriteAsync(dataSource, Table(5, 500));
        var database = new[] { $"--Canary:Database:ConnectionString={dataSource.ConnectionString}", "--Canary:Database:PollInterval=00:00:00.2" };

        await using (var sidecar = await ControlSidecar.StartAsync(database))
        {
            var applied = await sidecar.WaitForGenerationAsync(5);
            Assert.Equal(TableSource.Database, applied.Source);

            // A write the sidecar was never pushed: the poll converges on it.
            await DesiredTableStore.TryWriteAsync(dataSource, Table(6, 0, RolloutState.RolledBack));
            applied = await sidecar.WaitForGenerationAsync(6);
            Assert.True(applied.Routes[0].RolledBack);
        }

        await DesiredTableStore.TryWriteAsync(dataSource, Table(7, 2500));
        await using (var restarted = await ControlSidecar.StartAsync(database))
        {
            var applied = await restarted.WaitForGenerationAsync(7);
            Assert.Equal(TableSource.Database, applied.Source);
            Assert.Equal(2500, applied.Routes[0].WeightBasisPoints);
        }
    }

    [PostgresFact]
    public async Task Sidecar_DatabaseDownAtStart_StartsFromCacheFileElseStable()
    {
        await using var dataSource = await _postgres.CreateDatabaseAsync();
        await DesiredTableSchema.ApplyAsync(dataSource);
        await DesiredTableStore.TryWriteAsync(dataSource, Table(12, 1500));
        var directory = Directory.CreateTempSubdirectory("canary-cache-").FullName;
        try
        {
            var cacheFile = Path.Combine(directory, "table.json");
            await using (var sidecar = await ControlSidecar.StartAsync($"--Canary:Database:ConnectionString={dataSource.ConnectionString}", $"--Canary:Control:CacheFile={cacheFile}"))
            {
                await sidecar.WaitForGenerationAsync(12);
            }

            Assert.True(File.Exists(cacheFile));

            // A port that refuses every connection: the database is down for this sidecar.
            using var refusing = new RefusingPort();
            var down = $"Host=127.0.0.1;Port={refusing.Port};Username=nobody;Timeout=2";
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
