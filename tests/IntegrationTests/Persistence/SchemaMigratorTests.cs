using Canary.Contracts.Telemetry;
using Canary.IntegrationTests.Postgres;

namespace Canary.IntegrationTests.Persistence;

[Collection(PostgresCollection.Name)]
public class SchemaMigratorTests
{
    private readonly PostgresServerFixture _postgres;

    public SchemaMigratorTests(PostgresServerFixture postgres) => _postgres = postgres;

    [PostgresFact]
    public async Task MigrateAsync_RunTwice_AppliesEachMigrationOnce()
    {
        await using var dataSource = await _postgres.CreateDatabaseAsync();

        var first = await SchemaMigrator.MigrateAsync(dataSource);
        var second = await SchemaMigrator.MigrateAsync(dataSource);

        Assert.Equal(new SchemaMigrationResult(0, SchemaMigrations.LatestVersion, SchemaMigrations.All.Count), first);
        Assert.Equal(new SchemaMigrationResult(SchemaMigrations.LatestVersion, SchemaMigrations.LatestVersion, 0), second);
    }

    [PostgresFact]
    public async Task MigrateAsync_ConcurrentRunners_ExactlyOneApplies()
    {
        await using var dataSource = await _postgres.CreateDatabaseAsync();

        var results = await Task.WhenAll(Enumerable.Range(0, 6).Select(_ => Task.Run(() => SchemaMigrator.MigrateAsync(dataSource))));

        Assert.Equal(SchemaMigrations.All.Count, results.Sum(r => r.Applied));
        Assert.All(results, r => Assert.Equal(SchemaMigrations.LatestVersion, r.CurrentVersion));
        await using var count = dataSource.CreateCommand("SELECT count(*) FROM canary_schema_version");
        Assert.Equal((long)SchemaMigrations.All.Count, (long)(await count.ExecuteScalarAsync())!);
    }
}
