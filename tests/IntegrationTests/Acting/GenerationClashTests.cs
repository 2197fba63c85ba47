using Canary.Contracts.Rollouts;
using Canary.IntegrationTests.Postgres;
using Canary.IntegrationTests.Processes;
using Canary.IntegrationTests.StandIns;
using Xunit.Abstractions;

namespace Canary.IntegrationTests.Acting;

/// <summary>
/// A sidecar started from the chart's start-up table (generation 1, no rollouts) and an analyzer whose first desired
/// table is generation 1 too: the push is refused as not newer, which is no acknowledgement; the analyzer writes the
/// same table under a higher generation and every sidecar takes it. Real processes, real PostgreSQL.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class GenerationClashTests
{
    private readonly PostgresServerFixture _postgres;
    private readonly ITestOutputHelper _output;

    public GenerationClashTests(PostgresServerFixture postgres, ITestOutputHelper output)
    {
        _postgres = postgres;
        _output = output;
    }

    [PostgresFact]
    public async Task Start_SidecarOnTheChartsStartupTable_TableRenumberedAndTheRolloutRoutes()
    {
        await using var dataSource = await _postgres.CreateDatabaseAsync();
        var directory = Directory.CreateTempSubdirectory("canary-clash-").FullName;
        try
        {
            var token = Path.Combine(directory, "token");
            await File.WriteAllTextAsync(token, "the-token");
            // What charts/sidecar renders by default (values.yaml rollouts.table) into the mounted rollouts file.
            var startup = Path.Combine(directory, "rollouts.json");
            await File.WriteAllTextAsync(startup, """{ "generation": 1, "rollouts": [] }""");
            await using var sidecar = await SidecarProcess.StartAsync("chart-sidecar", token, settings: $"--Canary:Routing:RolloutsFile={startup}");

            var start = await AnalyzerRun.RunAsync(
                ["start", "--skip-preflight", "--route", "chat", "--stable", "stable", "--canary", "canary", "--forced-user", "probe",
                 "--sidecars", sidecar.Endpoint, "--token-file", token, "--database", dataSource.ConnectionString]);
            _output.WriteLine(start.ToString());

            Assert.True(start.ExitCode == 0, start.ToString());
            Assert.Contains("NOT acknowledged (FailedPrecondition: generation 1 is not newer than the applied generation 1 (from file))", start.Output, StringComparison.Ordinal);
            Assert.Contains("desired table renumbered from generation 1 to 2", start.Output, StringComparison.Ordinal);
            Assert.Contains("push: 1/1 sidecars acknowledged", start.Output, StringComparison.Ordinal);
            Assert.Equal("canary", await sidecar.RouteAsync("chat", "probe"));
            var desired = await DesiredTableStore.ReadAsync(dataSource);
            Assert.Equal(2, desired!.Generation);
            Assert.Equal("chat", Assert.Single(desired.Table!.Rollouts).RouteKey);

            // The refusal is on record as what it was: not acknowledged, with the generation the sidecar held.
            await using var acks = dataSource.CreateCommand("SELECT generation, acknowledged, applied_generation FROM rollout_push_acks ORDER BY generation");
            await using var reader = await acks.ExecuteReaderAsync();
            var rows = new List<(long Generation, bool Acknowledged, long? Applied)>();
            while (await reader.ReadAsync())
            {
                rows.Add((reader.GetInt64(0), reader.GetBoolean(1), reader.IsDBNull(2) ? null : reader.GetInt64(2)));
            }

            Assert.Equal([(1L, false, (long?)1), (2L, true, (long?)2)], rows);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [PostgresFact]
    public async Task Start_AnotherWriterRepairsTheClashFirst_PushesItsTableAndEverySidecarAcknowledges()
    {
        await using var dataSource = await _postgres.CreateDatabaseAsync();
        var directory = Directory.CreateTempSubdirectory("canary-clash-race-").FullName;
        try
        {
            var token = Path.Combine(directory, "token");
            await File.WriteAllTextAsync(token, "the-token");
            await using var sidecar = await RepairingSidecarStandIn.StartAsync(dataSource, fileGeneration: 1, repairGeneration: 6);

            var start = await AnalyzerRun.RunAsync(
                ["start", "--skip-preflight", "--route", "chat", "--stable", "stable", "--canary", "canary",
                 "--sidecars", sidecar.Endpoint, "--token-file", token, "--database", dataSource.ConnectionString]);
            _output.WriteLine(start.ToString());

            // The run's own renumbering (to 2) finds generation 6 already written; it pushes that table, which carries
            // its rollout, instead of giving up with the refusal as its answer.
            Assert.True(start.ExitCode == 0, start.ToString());
            Assert.Contains("push: 1/1 sidecars acknowledged", start.Output, StringComparison.Ordinal);
            Assert.Equal(6, sidecar.AppliedGeneration);
            var desired = await DesiredTableStore.ReadAsync(dataSource);
            Assert.Equal(6, desired!.Generation);
            Assert.Equal("chat", Assert.Single(desired.Table!.Rollouts).RouteKey);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }
}
