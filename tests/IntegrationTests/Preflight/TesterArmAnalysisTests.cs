using Canary.Analyzer.Preflight;
using Canary.Analyzer.Rollouts;
using Canary.Contracts.Telemetry;
using Canary.Contracts.Telemetry.Storage;
using Canary.IntegrationTests.Postgres;
using Npgsql;

namespace Canary.IntegrationTests.Preflight;

/// <summary>Testers' telemetry (subset <c>&lt;canary&gt;:testers</c>) stays out of the arm comparison but can be shown.</summary>
[Collection(PostgresCollection.Name)]
public sealed class TesterArmAnalysisTests
{
    private readonly PostgresServerFixture _postgres;

    public TesterArmAnalysisTests(PostgresServerFixture postgres) => _postgres = postgres;

    [PostgresFact]
    public async Task ReadAsync_TestersRows_KeptOutOfTheCanaryEvidenceAndCountedApart()
    {
        await using var dataSource = await _postgres.CreateDatabaseAsync();
        await SchemaMigrator.MigrateAsync(dataSource, CancellationToken.None);
        var now = DateTimeOffset.UtcNow;
        await SeedAsync(dataSource, "v1", now, requests: 1000, errors: 1);
        await SeedAsync(dataSource, "v2", now, requests: 50, errors: 0);
        await SeedAsync(dataSource, OffComparisonArm.Testers("v2"), now, requests: 400, errors: 40);

        var window = await new TelemetryWindowReader(dataSource).ReadAsync("chat", now.AddHours(-1), now.AddMinutes(1), CancellationToken.None);
        var canary = EvidenceBuilder.Build(window.Arm("v2"));
        var testers = await TesterTraffic.ReadAsync(dataSource, "chat", "v2", now.AddHours(-1), now.AddMinutes(1), CancellationToken.None);

        Assert.Equal(50, canary.Requests);
        Assert.Equal(0, canary.Errors);
        Assert.Equal(400, testers.Requests);
        Assert.Equal(40, testers.Errors);
        Assert.Contains("testers (v2:testers, 1 h): 400 request(s), 40 error(s)", testers.Describe(), StringComparison.Ordinal);
    }

    private static async Task SeedAsync(NpgsqlDataSource dataSource, string subset, DateTimeOffset at, long requests, long errors)
    {
        var counters = new[] { (TelemetryCounter.Requests, requests), (TelemetryCounter.Status5xx, errors) }
            .Select(c => new CounterRow("seed", "chat", subset, TelemetryNames.Counter(c.Item1), at.AddMinutes(-5).UtcDateTime, 10_000, c.Item2))
            .ToArray();
        await new TelemetryRowWriter(dataSource).WriteAsync([], counters, CancellationToken.None);
    }
}
