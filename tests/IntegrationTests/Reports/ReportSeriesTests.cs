using System.Text.RegularExpressions;
using Canary.Analyzer.Cli;
using Canary.Analyzer.Reports;
using Canary.Analyzer.Storage;
using Canary.IntegrationTests.Postgres;
using Canary.IntegrationTests.Processes;
using Npgsql;

namespace Canary.IntegrationTests.Reports;

/// <summary>
/// The report's rate charts hold every series the database has, and draw each: a stage shorter than a bucket whose
/// canary traffic sits in the flush interval that began just before the start, and a rollout whose first hour was
/// compacted and its raw rows deleted by retention. Real PostgreSQL, the real compaction and retention jobs.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed partial class ReportSeriesTests
{
    private readonly PostgresServerFixture _postgres;

    public ReportSeriesTests(PostgresServerFixture postgres) => _postgres = postgres;

    [PostgresFact]
    public async Task Load_ShortStageRolledBackWithinOneBucket_CanaryErrorAndRefusalRatesDrawn()
    {
        const string Rollout = "short.example.internal";
        await using var dataSource = await _postgres.CreateDatabaseAsync();
        await CliAsync(dataSource, "start", "--skip-preflight", "--route", Rollout, "--stable", "stable", "--canary", "canary", "--schedule", "25/10s,100", "--warm-up", "0s");
        var start = await MoveBackAsync(dataSource, Rollout, TimeSpan.FromSeconds(40));
        // Sidecars flush every 10 s on their own clock: the canary's first (and, before the rollback 8 s later, only)
        // interval began 3 s before the start decision.
        await TelemetrySeed.WriteAsync(dataSource, Rollout, "canary", requests: 60, errors: 9, start.AddSeconds(-3), refusals: 3);
        for (var i = 0; i < 4; i++)
        {
            await TelemetrySeed.WriteAsync(dataSource, Rollout, "stable", requests: 180, errors: 2, start.AddSeconds(-3 + (10 * i)), refusals: 1);
        }

        await CliAsync(dataSource, "rollback", "--rollout", Rollout, "--reason", "errors");

        var report = await ReportLoader.LoadAsync(dataSource, Rollout, DateTimeOffset.UtcNow, default);

        Assert.Equal(["error rate (5xx)", "refusal rate"], report.Rates.Select(r => r.Metric));
        foreach (var series in report.Rates)
        {
            var canary = Assert.Single(series.Canary);
            Assert.Equal(series.Metric == "refusal rate" ? 3 / 60.0 : 9 / 60.0, canary.Rate, 12);
            // Stable's intervals began 3 s before the start and 7, 17 and 27 s after it: buckets 0, 0, 1 and 2.
            Assert.Equal(3, series.Stable.Count);
        }

        AssertEveryPointDrawn(report);
    }

    [PostgresFact]
    public async Task Load_FirstHourCompactedAndItsRawRowsDeleted_StillCountedInTheFirstBucket()
    {
        const string Rollout = "old.example.internal";
        await using var dataSource = await _postgres.CreateDatabaseAsync();
        await CliAsync(dataSource, "start", "--skip-preflight", "--route", Rollout, "--stable", "stable", "--canary", "canary", "--schedule", "25/1h,100", "--warm-up", "0s");
        // Four days ago, 20 minutes into an hour: past the raw rows' 48 h retention.
        var now = DateTimeOffset.UtcNow;
        var hour = new DateTimeOffset(now.Year, now.Month, now.Day, now.Hour, 0, 0, TimeSpan.Zero).AddDays(-4);
        var start = await MoveBackAsync(dataSource, Rollout, now - hour.AddMinutes(20));
        for (var minute = 25; minute < 55; minute += 10)
        {
            await TelemetrySeed.WriteAsync(dataSource, Rollout, "canary", requests: 50, errors: 5, start.AddMinutes(minute - 20), refusals: 2);
            await TelemetrySeed.WriteAsync(dataSource, Rollout, "stable", requests: 150, errors: 1, start.AddMinutes(minute - 20), refusals: 1);
        }

        var options = new StorageMaintenanceOptions();
        Assert.Equal(1, await new CompactionJob(dataSource, TimeProvider.System, options).RunAsync(default));
        Assert.True(await new RetentionJob(dataSource, TimeProvider.System, options).RunAsync(default) > 0);
        await using (var raw = dataSource.CreateCommand("SELECT count(*) FROM interval_counters"))
        {
            Assert.Equal(0L, (long)(await raw.ExecuteScalarAsync())!);
        }

        var report = await ReportLoader.LoadAsync(dataSource, Rollout, now, default);

        foreach (var series in report.Rates)
        {
            var canary = Assert.Single(series.Canary);
            Assert.Equal(series.Metric == "refusal rate" ? 6 / 150.0 : 15 / 150.0, canary.Rate, 12);
            Assert.InRange(canary.Time, start, start.AddHours(4));
            Assert.Equal(3 / 450.0, Assert.Single(series.Stable).Rate, 12);
        }

        AssertEveryPointDrawn(report);
    }

    /// <summary>Each series of each arm has one marker per point in its own chart.</summary>
    private static void AssertEveryPointDrawn(RolloutReport report)
    {
        var html = ReportRenderer.Render(report);
        foreach (var series in report.Rates)
        {
            var figure = html[html.IndexOf($"<figcaption>{series.Metric}</figcaption>", StringComparison.Ordinal)..];
            figure = figure[..figure.IndexOf("</figure>", StringComparison.Ordinal)];
            Assert.Equal(series.Canary.Count, CanaryPoint().Matches(figure).Count);
            Assert.Equal(series.Stable.Count, StablePoint().Matches(figure).Count);
        }
    }

    [GeneratedRegex("<circle class=\"point canary\"")]
    private static partial Regex CanaryPoint();

    [GeneratedRegex("<circle class=\"point stable\"")]
    private static partial Regex StablePoint();

    /// <summary>Moves the rollout's decisions and stage start back by <paramref name="by"/>; returns the start decision's new time.</summary>
    private static async Task<DateTime> MoveBackAsync(NpgsqlDataSource dataSource, string rollout, TimeSpan by)
    {
        string[] statements =
        [
            "UPDATE rollout_decisions SET decided_at = decided_at - $2, window_start = window_start - $2, window_end = window_end - $2 WHERE rollout = $1",
            "UPDATE rollout_progress SET stage_started_at = stage_started_at - $2 WHERE rollout = $1",
            "SELECT min(decided_at) FROM rollout_decisions WHERE rollout = $1 AND $2::interval IS NOT NULL",
        ];
        object? result = null;
        foreach (var sql in statements)
        {
            await using var command = dataSource.CreateCommand(sql);
            command.Parameters.Add(new NpgsqlParameter { Value = rollout });
            command.Parameters.Add(new NpgsqlParameter { Value = by });
            result = await command.ExecuteScalarAsync();
        }

        return DateTime.SpecifyKind((DateTime)result!, DateTimeKind.Utc);
    }

    private static async Task CliAsync(NpgsqlDataSource dataSource, params string[] args)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var code = await AnalyzerCli.RunAsync([.. args, "--database", dataSource.ConnectionString], new CliOutput(stdout, stderr));
        Assert.True(code == ExitCodes.Ok, $"{string.Join(' ', args)}: exit {code}\n{stdout}\n{stderr}");
    }
}
