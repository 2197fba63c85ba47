using Canary.Analyzer.Cli;
using Canary.Analyzer.Decisions;
using Canary.Analyzer.Replay;
using Canary.Analyzer.Rollouts;
using Canary.Contracts.Rollouts;
using Canary.Contracts.Telemetry;
using Canary.Contracts.Telemetry.Storage;
using Canary.IntegrationTests.Postgres;
using Npgsql;

namespace Canary.IntegrationTests.Replay;

/// <summary>
/// Replay against a real PostgreSQL: six hours of seeded telemetry of a rollout at 5 % whose canary goes from stable's
/// 1 % errors to 10 % at hour 3. The replay must hold before the incident, roll back after it, and change nothing.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class ReplayTests
{
    private const string Rollout = "chat.replay.internal";
    private static readonly DateTimeOffset Day = new(2026, 3, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset Incident = Day.AddHours(3);
    private readonly PostgresServerFixture _postgres;

    public ReplayTests(PostgresServerFixture postgres) => _postgres = postgres;

    [PostgresFact]
    public async Task RunAsync_CanaryDegradesAtHourThree_HoldsThenRollsBackAfterTheIncidentAndActsOnNothing()
    {
        await using var dataSource = await StartedRolloutAsync();
        var before = await SnapshotAsync(dataSource);

        var result = await new ReplayRunner(dataSource).RunAsync(new ReplayRequest
        {
            Rollout = Rollout,
            From = Day,
            To = Day.AddHours(6),
            Step = TimeSpan.FromMinutes(15),
        }, CancellationToken.None);

        var looks = result.Looks;
        Assert.Equal(Verdict.Hold, looks[0].Decision.Verdict);
        Assert.Contains("under the minimum of 1000 per arm", looks[0].Decision.Reason, StringComparison.Ordinal);
        Assert.All(looks.Where(l => l.AsOf <= Incident), l => Assert.NotEqual(Verdict.Rollback, l.Decision.Verdict));
        var last = looks[^1];
        Assert.Equal(Verdict.Rollback, last.Decision.Verdict);
        Assert.True(last.AsOf > Incident && last.AsOf < Day.AddHours(6), $"rolled back at {last.AsOf:O}");
        Assert.StartsWith("Rolling back: the canary's error rate", last.Decision.Reason, StringComparison.Ordinal);
        // The replay follows its own promotions (the canary is within its thresholds before the incident) and reads each
        // look's window as a live run would have: from the replayed stage's start plus the warm-up to the instant.
        var promotions = looks.Where(l => l.Decision.Verdict == Verdict.Promote).ToList();
        Assert.NotEmpty(promotions);
        Assert.All(promotions, p => Assert.True(p.AsOf <= Incident));
        Assert.Equal(promotions[^1].AsOf.AddMinutes(10), last.Decision.WindowStart);
        Assert.Equal(promotions.Count, last.Decision.StageIndex);
        Assert.Equal(last.AsOf, last.Decision.WindowEnd);
        Assert.NotNull(last.Decision.FinishReasonMix);
        Assert.Equal(before, await SnapshotAsync(dataSource));
    }

    [PostgresFact]
    public async Task Cli_ReplayWithRecord_PrintsVerdictsAndRecordsThemApartFromTheAuditTrail()
    {
        await using var dataSource = await StartedRolloutAsync();
        var before = await SnapshotAsync(dataSource);
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();

        var code = await AnalyzerCli.RunAsync(
            ["replay", "--rollout", Rollout, "--from", "2026-03-01T00:00:00Z", "--to", "2026-03-01T06:00:00Z", "--step", "30m",
             "--guard", "length_finish_rate=+50%", "--record", "--database", dataSource.ConnectionString],
            new CliOutput(stdout, stderr));

        Assert.True(code == ExitCodes.Ok, stderr.ToString());
        var text = stdout.ToString();
        Assert.Contains("2026-03-01T00:30:00Z  hold", text, StringComparison.Ordinal);
        Assert.Contains("replay ends: the engine would have rolled back at 2026-03-01T0", text, StringComparison.Ordinal);
        var lines = text.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var printed = lines.Count(l => l.StartsWith("2026-03-01T", StringComparison.Ordinal));
        await using var count = dataSource.CreateCommand(
            $"SELECT count(*), count(*) FILTER (WHERE verdict = 'rollback'), count(DISTINCT replay_id) FROM replay_decisions WHERE rollout = '{Rollout}'");
        await using var reader = await count.ExecuteReaderAsync();
        Assert.True(await reader.ReadAsync());
        Assert.Equal(printed, reader.GetInt64(0));
        Assert.Equal(1, reader.GetInt64(1));
        Assert.Equal(1, reader.GetInt64(2));
        await reader.DisposeAsync();
        await using var evidence = dataSource.CreateCommand(
            $"SELECT evidence_json::text FROM replay_decisions WHERE rollout = '{Rollout}' AND verdict = 'rollback'");
        using var json = System.Text.Json.JsonDocument.Parse((string)(await evidence.ExecuteScalarAsync())!);
        Assert.Contains(json.RootElement.GetProperty("guards").EnumerateArray(), g => g.GetProperty("key").GetString() == "length_finish_rate");
        Assert.True(json.RootElement.TryGetProperty("finishReasonMix", out _));
        Assert.Equal(before, await SnapshotAsync(dataSource));
    }

    [PostgresFact]
    public async Task RunAsync_UnknownRollout_Throws()
    {
        await using var dataSource = await StartedRolloutAsync();

        await Assert.ThrowsAsync<RolloutNotFoundException>(() => new ReplayRunner(dataSource).RunAsync(new ReplayRequest
        {
            Rollout = "nobody",
            From = Day,
            To = Day.AddHours(1),
        }, CancellationToken.None));
    }

    /// <summary>A database with the rollout started (5 % stage, 1 h stages, 10 min warm-up) and the six hours seeded.</summary>
    private async Task<NpgsqlDataSource> StartedRolloutAsync()
    {
        var dataSource = await _postgres.CreateDatabaseAsync();
        await SchemaMigrator.MigrateAsync(dataSource);
        var time = TimeProvider.System;
        var runner = new RolloutRunner(dataSource, new DecisionEngine(time), time, null, null);
        var errors = new List<string>();
        var options = ScheduleParser.Parse("5/1h,10/1h,25/1h,50/1h,75/1h,100", new DecisionOptions(), errors);
        Assert.Empty(errors);
        await new RolloutLifecycle(dataSource, runner, time).StartAsync(
            new RolloutDefinition { RouteKey = Rollout, StableSubset = "stable", CanarySubset = "canary", Salt = "replay" }, options, default);
        await SeedAsync(dataSource);
        return dataSource;
    }

    /// <summary>One row per minute and subset: 950 stable and 50 canary requests; 1 % errors, the canary's 10 % from hour 3.</summary>
    private static async Task SeedAsync(NpgsqlDataSource dataSource)
    {
        await using var connection = await dataSource.OpenConnectionAsync();
        await TelemetryRowWriter.CopyCountersAsync(connection, TelemetryTier.Raw, Rows(), CancellationToken.None);

        static IEnumerable<CounterRow> Rows()
        {
            for (var minute = 0; minute < 360; minute++)
            {
                var at = Day.AddMinutes(minute);
                foreach (var (subset, requests) in new[] { ("stable", 950L), ("canary", 50L) })
                {
                    var errorsPerThousand = subset == "canary" && at >= Incident ? 100 : 10;
                    // Whole error counts spread evenly over the minutes: floor(requests × rate × (m + 1)) − floor(... × m).
                    var errors = (requests * errorsPerThousand * (minute + 1) / 1000) - (requests * errorsPerThousand * minute / 1000);
                    var length = (requests * 4 * (minute + 1) / 100) - (requests * 4 * minute / 100);
                    foreach (var (counter, value) in new[]
                    {
                        (TelemetryCounter.Requests, requests), (TelemetryCounter.Status5xx, errors), (TelemetryCounter.Status2xx, requests - errors),
                        (TelemetryCounter.FinishStop, requests - errors - length), (TelemetryCounter.FinishLength, length),
                    })
                    {
                        yield return new CounterRow("sidecar-0", Rollout, subset, TelemetryNames.Counter(counter), at.UtcDateTime, 60_000, value);
                    }
                }
            }
        }
    }

    /// <summary>Everything a replay must not touch: the desired table, the lifecycle row and the audit trail.</summary>
    private static async Task<string> SnapshotAsync(NpgsqlDataSource dataSource)
    {
        await using var command = dataSource.CreateCommand(
            """
            SELECT (SELECT generation::text || table_json::text FROM canary_desired_table)
                || (SELECT string_agg(rollout || status || stage_index || stage_started_at::text || coalesce(sequential_json::text, '-'), ';') FROM rollout_progress)
                || (SELECT count(*)::text || coalesce(max(id), 0)::text FROM rollout_decisions)
            """);
        return (string)(await command.ExecuteScalarAsync())!;
    }
}
