using Canary.Contracts.Rollouts;
using Canary.IntegrationTests.Postgres;
using Canary.IntegrationTests.Processes;
using Xunit.Abstractions;

namespace Canary.IntegrationTests.Quality;

/// <summary>
/// <c>start --quality-sample</c> end to end: the real analyzer puts the rate in the desired table in PostgreSQL and
/// pushes it, and a real sidecar holds it (the control API's protobuf carries it).
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class QualitySampleStartTests
{
    private const string Route = "chat.example.internal";
    private const string Token = "quality-start-token";
    private readonly PostgresServerFixture _postgres;
    private readonly ITestOutputHelper _output;

    public QualitySampleStartTests(PostgresServerFixture postgres, ITestOutputHelper output)
    {
        _postgres = postgres;
        _output = output;
    }

    [PostgresFact]
    public async Task Start_QualitySampleOnePercent_HundredBasisPointsInTheStoredAndPushedTable()
    {
        await using var dataSource = await _postgres.CreateDatabaseAsync();
        var directory = Directory.CreateTempSubdirectory("canary-quality-start-");
        try
        {
            var tokenFile = Path.Combine(directory.FullName, "token");
            await File.WriteAllTextAsync(tokenFile, Token);
            await using var sidecar = await SidecarProcess.StartAsync("sidecar-0", tokenFile);

            var start = await AnalyzerRun.RunAsync(
            [
                "start", "--skip-preflight", "--skipped-by", "test", "--route", Route, "--stable", "v1", "--canary", "v2", "--quality-sample", "1%",
                "--database", dataSource.ConnectionString, "--token-file", tokenFile, "--sidecars", sidecar.Endpoint,
            ]);
            _output.WriteLine(start.ToString());

            Assert.True(start.ExitCode == 0, start.ToString());
            Assert.Equal(100, Assert.Single((await DesiredTableStore.ReadAsync(dataSource))!.Table!.Rollouts).QualitySampleBasisPoints);
            var held = await Eventually.UntilAsync(() => sidecar.GetTableAsync(Token), t => t.Table?.Rollouts.Count == 1, "the pushed table in the sidecar");
            Assert.Equal(100, held.Table.Rollouts[0].QualitySampleBasisPoints);
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }
}
