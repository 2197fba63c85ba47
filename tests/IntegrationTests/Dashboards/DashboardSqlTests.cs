using System.Globalization;
using Canary.Analyzer.Storage;
using Canary.Contracts.Telemetry;
using Canary.IntegrationTests.Postgres;
using Microsoft.Extensions.Time.Testing;
using Npgsql;
using Xunit.Abstractions;

namespace Canary.IntegrationTests.Dashboards;

/// <summary>
/// Every SQL panel and query variable of the chart's Grafana dashboard, expanded as Grafana expands it, run against the
/// real schema (the migrations) in a real PostgreSQL with seeded telemetry, and compared with what the seeded rows
/// imply. Three hours are seeded: the first has been compacted and its raw rows deleted by retention (the dashboard
/// must read the hourly roll-up), the second compacted with its raw rows still there (read once, not twice), the third
/// raw only. Rows of another rollout and rows outside the time range must not count.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class DashboardSqlTests
{
    private const string Rollout = "chat.example";
    private static readonly DateTimeOffset Day = new(2026, 11, 20, 0, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset From = Day.AddHours(8);
    private static readonly DateTimeOffset To = Day.AddHours(11);
    private static readonly TimeSpan Interval = TimeSpan.FromMinutes(5);
    private static readonly DateTimeOffset RolledUpHour = Day.AddHours(8);
    private static readonly Dictionary<string, string> Variables = new() { ["rollout"] = Rollout, ["canary"] = "canary" };

    private readonly PostgresServerFixture _postgres;
    private readonly ITestOutputHelper _output;

    public DashboardSqlTests(PostgresServerFixture postgres, ITestOutputHelper output)
    {
        _postgres = postgres;
        _output = output;
    }

    [PostgresFact]
    public async Task EverySqlPanel_SeededTelemetryAcrossRollupAndRawHours_ShowsWhatTheRowsImply()
    {
        await using var dataSource = await _postgres.CreateDatabaseAsync();
        await SchemaMigrator.MigrateAsync(dataSource);
        var telemetry = await SeedAsync(dataSource);

        var expected = new Dictionary<string, Func<Dictionary<(double, string), double>>>
        {
            ["Requests per second by arm"] = () => RequestRate(telemetry),
            ["Canary share of requests"] = () => CanaryShare(telemetry),
            ["5xx error rate by arm"] = () => CounterRatio(telemetry, TelemetryCounter.Status5xx),
            ["429 rate by arm"] = () => CounterRatio(telemetry, TelemetryCounter.Status429),
            ["Refusal rate by arm"] = () => CounterRatio(telemetry, TelemetryCounter.Refusals),
            ["Client-cancelled requests by arm"] = () => CounterRatio(telemetry, TelemetryCounter.CancelledByClient),
            ["Mean request duration by arm"] = () => HistogramMean(telemetry, TelemetryMetric.DurationUs, 0.000001),
            ["Mean output tokens per response by arm"] = () => HistogramMean(telemetry, TelemetryMetric.OutputTokens, 1),
            ["Mean cost per priced response by arm (USD)"] = () => HistogramMean(telemetry, TelemetryMetric.CostMicroUsd, 0.000001),
        };

        var dashboard = GrafanaDashboard.Load();
        var sqlTargets = dashboard.Targets().Where(t => t.DataSource == "grafana-postgresql-datasource").ToList();
        Assert.NotEmpty(sqlTargets);
        foreach (var (panel, refId, _, target) in sqlTargets)
        {
            var sql = GrafanaSql.Expand(target.GetProperty("rawSql").GetString()!, From, To, Interval, Variables);
            _output.WriteLine($"{panel} {refId}: {sql}");
            var rows = await QueryAsync(dataSource, sql);
            if (panel == "Analyzer decisions")
            {
                AssertDecisions(rows);
                continue;
            }

            Assert.True(expected.TryGetValue(panel, out var compute), $"panel \"{panel}\" has no expectation in this test: add one");
            Assert.Equal("time_series", target.GetProperty("format").GetString());
            var actual = rows.ToDictionary(r => (Convert.ToDouble(r["time"], CultureInfo.InvariantCulture), (string)r["metric"]), r => r["value"] is DBNull ? double.NaN : Convert.ToDouble(r["value"], CultureInfo.InvariantCulture));
            var want = compute();
            Assert.True(want.Count > 0, $"{panel}: the seed implies no points");
            Assert.Equal(want.Keys.OrderBy(k => k).ToList(), actual.Keys.OrderBy(k => k).ToList());
            foreach (var (key, value) in want)
            {
                Assert.True(Math.Abs(actual[key] - value) <= 1e-9 * Math.Max(1, Math.Abs(value)), $"{panel} at {DateTimeOffset.FromUnixTimeSeconds((long)key.Item1):u} {key.Item2}: {actual[key]}, the rows imply {value}");
            }
        }

        Assert.Equal(expected.Keys.Order(), sqlTargets.Select(t => t.Panel).Where(p => p != "Analyzer decisions").Order());
    }

    [PostgresFact]
    public async Task RolloutVariable_ProgressAndTelemetry_ListsRolloutsWithRowsInRangeOrProgress()
    {
        await using var dataSource = await _postgres.CreateDatabaseAsync();
        await SchemaMigrator.MigrateAsync(dataSource);
        await SeedAsync(dataSource);

        var (name, query) = Assert.Single(GrafanaDashboard.Load().QueryVariables());
        Assert.Equal("rollout", name);
        var rows = await QueryAsync(dataSource, GrafanaSql.Expand(query, From, To, Interval, Variables));
        // "other.example" has rows in range, "started.example" only a progress row, "old.example" only rows before the range.
        Assert.Equal(["chat.example", "other.example", "started.example"], rows.Select(r => (string)r.Values.First()));
    }

    private static async Task<DashboardTelemetry> SeedAsync(NpgsqlDataSource dataSource)
    {
        var telemetry = new DashboardTelemetry();
        var seed = 1;
        foreach (var hour in new[] { 8, 9 })
        {
            foreach (var minute in new[] { 2, 7, 31 })
            {
                telemetry.AddInterval(Rollout, Day.AddHours(hour).AddMinutes(minute).AddSeconds(10 * (seed % 3)), seed++);
            }
        }

        telemetry.AddInterval("old.example", Day.AddHours(7).AddMinutes(50), seed++);
        await telemetry.InsertAsync(dataSource);

        // Hours 08 and 09 compacted; retention then deletes the raw rows of hour 08 (its cutoff is 09:00), as it does
        // 48 hours on. The dashboard has to find hour 08 in the hourly roll-ups and hour 09 once.
        var options = new StorageMaintenanceOptions();
        var compacted = await new CompactionJob(dataSource, new FakeTimeProvider(Day.AddHours(12)), options).RunAsync(null, CancellationToken.None);
        Assert.True(compacted >= 2, $"{compacted} hour(s) compacted");
        await new RetentionJob(dataSource, new FakeTimeProvider(Day.AddHours(9) + options.RawRetention), options).RunAsync(CancellationToken.None);
        await using (var count = dataSource.CreateCommand($"SELECT count(*) FROM interval_counters WHERE rollout = '{Rollout}' AND interval_start < '{GrafanaSql.Rfc3339Nano(Day.AddHours(9))}'"))
        {
            Assert.Equal(0L, (long)(await count.ExecuteScalarAsync())!);
        }

        var (counters, histograms) = (telemetry.CounterRows.Count, telemetry.HistogramRows.Count);
        foreach (var minute in new[] { 0, 4, 44 })
        {
            telemetry.AddInterval(Rollout, Day.AddHours(10).AddMinutes(minute), seed++);
        }

        telemetry.AddInterval("other.example", Day.AddHours(10).AddMinutes(1), seed++);
        telemetry.AddInterval(Rollout, Day.AddHours(11).AddMinutes(10), seed++);
        await telemetry.InsertAsync(dataSource, counters, histograms);

        await using var connection = await dataSource.OpenConnectionAsync();
        await using var progress = new NpgsqlCommand(
            "INSERT INTO rollout_progress (rollout, status, stage_index, stage_started_at, options_json) VALUES ('started.example', 'running', 0, $1, '{}')", connection);
        progress.Parameters.AddWithValue(Day.AddHours(9).UtcDateTime);
        await progress.ExecuteNonQueryAsync();
        foreach (var (rollout, at, verdict, weight) in new[]
        {
            (Rollout, Day.AddHours(8).AddMinutes(30), "promote", 500), (Rollout, Day.AddHours(10).AddMinutes(15), "rollback", 0),
            (Rollout, Day.AddHours(12), "hold", 500), ("other.example", Day.AddHours(9), "promote", 100),
        })
        {
            await using var decision = new NpgsqlCommand(
                "INSERT INTO rollout_decisions (rollout, decided_at, verdict, action, reason, stage_index, from_weight_bp, to_weight_bp, window_start, window_end, canary_requests, stable_requests, evidence_json) " +
                "VALUES ($1, $2, $3, $3, 'seeded', 0, 100, $4, $2, $2, 10, 90, '{}')", connection);
            decision.Parameters.AddWithValue(rollout);
            decision.Parameters.AddWithValue(at.UtcDateTime);
            decision.Parameters.AddWithValue(verdict);
            decision.Parameters.AddWithValue(weight);
            await decision.ExecuteNonQueryAsync();
        }

        return telemetry;
    }

    private static void AssertDecisions(List<Dictionary<string, object>> rows)
    {
        Assert.Equal(["rollback", "promote"], rows.Select(r => (string)r["verdict"]));
        Assert.Equal([0m, 5m], rows.Select(r => Convert.ToDecimal(r["canary %"], CultureInfo.InvariantCulture)));
        Assert.All(rows, r => Assert.Equal("seeded", r["reason"]));
    }

    // Where a seeded row shows: hour 08 only as its hourly roll-up at 08:00, the others in their 5-minute bucket.
    private static bool InRange(DateTimeOffset start, string rollout) => rollout == Rollout && start >= From && start <= To;

    private static double Bucket(DateTimeOffset start) =>
        start < RolledUpHour.AddHours(1) ? RolledUpHour.ToUnixTimeSeconds() : Math.Floor(start.ToUnixTimeSeconds() / Interval.TotalSeconds) * Interval.TotalSeconds;

    private static Dictionary<(double, string), double> RequestRate(DashboardTelemetry t)
    {
        // A roll-up covers an hour: its rate is over max(interval, 1 h); raw rows over the interval.
        var requests = TelemetryNames.Counter(TelemetryCounter.Requests);
        return t.CounterRows.Where(r => InRange(r.Start, r.Rollout) && r.Name == requests)
            .GroupBy(r => (Bucket(r.Start), r.Subset))
            .ToDictionary(g => g.Key, g => g.Sum(r => r.Value) / (g.Key.Item1 == RolledUpHour.ToUnixTimeSeconds() ? Math.Max(Interval.TotalSeconds, 3600) : Interval.TotalSeconds));
    }

    private static Dictionary<(double, string), double> CanaryShare(DashboardTelemetry t)
    {
        var requests = TelemetryNames.Counter(TelemetryCounter.Requests);
        return t.CounterRows.Where(r => InRange(r.Start, r.Rollout) && r.Name == requests)
            .GroupBy(r => Bucket(r.Start))
            .ToDictionary(g => (g.Key, "canary share"), g => (double)g.Where(r => r.Subset == "canary").Sum(r => r.Value) / g.Sum(r => r.Value));
    }

    private static Dictionary<(double, string), double> CounterRatio(DashboardTelemetry t, TelemetryCounter counter)
    {
        var (name, requests) = (TelemetryNames.Counter(counter), TelemetryNames.Counter(TelemetryCounter.Requests));
        return t.CounterRows.Where(r => InRange(r.Start, r.Rollout))
            .GroupBy(r => (Bucket(r.Start), r.Subset))
            .ToDictionary(g => g.Key, g => (double)g.Where(r => r.Name == name).Sum(r => r.Value) / g.Where(r => r.Name == requests).Sum(r => r.Value));
    }

    private static Dictionary<(double, string), double> HistogramMean(DashboardTelemetry t, TelemetryMetric metric, double scale)
    {
        var name = TelemetryNames.Metric(metric);
        return t.HistogramRows.Where(r => InRange(r.Start, r.Rollout) && r.Name == name)
            .GroupBy(r => (Bucket(r.Start), r.Subset))
            .ToDictionary(g => g.Key, g => scale * g.Sum(r => r.Sum) / g.Sum(r => r.Count));
    }

    private static async Task<List<Dictionary<string, object>>> QueryAsync(NpgsqlDataSource dataSource, string sql)
    {
        await using var command = dataSource.CreateCommand(sql);
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<Dictionary<string, object>>();
        while (await reader.ReadAsync())
        {
            var row = new Dictionary<string, object>();
            for (var i = 0; i < reader.FieldCount; i++)
            {
                row[reader.GetName(i)] = reader.GetValue(i);
            }

            rows.Add(row);
        }

        return rows;
    }
}
