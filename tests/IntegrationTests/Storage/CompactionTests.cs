using Canary.Analyzer.Storage;
using Canary.Contracts.Telemetry;
using Canary.Contracts.Telemetry.Storage;
using Canary.IntegrationTests.Postgres;
using Microsoft.Extensions.Time.Testing;
using Npgsql;

namespace Canary.IntegrationTests.Storage;

/// <summary>Compaction, retention and the reader over hourly and raw rows, against a real PostgreSQL.</summary>
/// <remarks>The class shares one fresh database; every test writes its own rollout, so tests never see each other's rows.</remarks>
[Collection(PostgresCollection.Name)]
public class CompactionTests
{
    private static readonly DateTimeOffset Day = new(2026, 3, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly double[] Quantiles = [0.5, 0.9, 0.95, 0.99, 0.999];
    private static readonly SemaphoreSlim DatabaseLock = new(1, 1);
    private static NpgsqlDataSource? _database;
    private readonly PostgresServerFixture _postgres;

    public CompactionTests(PostgresServerFixture postgres) => _postgres = postgres;

    [PostgresFact]
    public async Task ReadAsync_WindowSpanningCompactedAndRawHours_EqualsRawMergeExactly()
    {
        var dataSource = await DatabaseAsync();
        var raw = await SixHoursAsync(dataSource, "exact");
        var from = Day.AddMinutes(20);
        var to = Day.AddHours(5).AddMinutes(30);
        var reader = new TelemetryWindowReader(dataSource);
        var beforeCompaction = await reader.ReadAsync(raw.Rollout, from, to, CancellationToken.None);

        var compacted = await Job(dataSource, Day.AddHours(5).AddMinutes(40)).RunAsync(raw.Rollout, CancellationToken.None);
        var afterCompaction = await reader.ReadAsync(raw.Rollout, from, to, CancellationToken.None);

        Assert.Equal(3, compacted);
        Assert.Equal([Day, Day.AddHours(1), Day.AddHours(2)], await LedgerAsync(dataSource, raw.Rollout));
        AssertWindowEquals(raw, from, to, beforeCompaction);
        AssertWindowEquals(raw, from, to, afterCompaction);
    }

    [PostgresFact]
    public async Task ReadAsync_WholeHourWindowAfterCompaction_ReadsHourlyRowsOnly()
    {
        var dataSource = await DatabaseAsync();
        var raw = await SixHoursAsync(dataSource, "hourly-only");
        await Job(dataSource, Day.AddHours(9)).RunAsync(raw.Rollout, CancellationToken.None);
        await ExecuteAsync(dataSource, $"UPDATE interval_counters SET value = value + 1000 WHERE rollout = '{raw.Rollout}'");

        var window = await new TelemetryWindowReader(dataSource).ReadAsync(raw.Rollout, Day, Day.AddHours(6), CancellationToken.None);

        // Raw counters were inflated after compaction: the window must still come from the hourly rows alone.
        AssertWindowEquals(raw, Day, Day.AddHours(6), window);
    }

    [PostgresFact]
    public async Task RunAsync_Rerun_IsNoOp()
    {
        var dataSource = await DatabaseAsync();
        var raw = await SixHoursAsync(dataSource, "rerun");
        var job = Job(dataSource, Day.AddHours(8));
        var first = await job.RunAsync(raw.Rollout, CancellationToken.None);
        var snapshot = await HourlySnapshotAsync(dataSource, raw.Rollout);

        var second = await job.RunAsync(raw.Rollout, CancellationToken.None);
        var again = await job.CompactHourAsync(raw.Rollout, Day.AddHours(2), CancellationToken.None);

        Assert.Equal(6, first);
        Assert.Equal(0, second);
        Assert.False(again);
        Assert.Equal(snapshot, await HourlySnapshotAsync(dataSource, raw.Rollout));
        AssertWindowEquals(raw, Day, Day.AddHours(6), await new TelemetryWindowReader(dataSource).ReadAsync(raw.Rollout, Day, Day.AddHours(6), CancellationToken.None));
    }

    [PostgresFact]
    public async Task RunAsync_FailureInsideHourTransaction_LeavesEarlierHoursAndNothingOfTheFailedHour()
    {
        var dataSource = await DatabaseAsync();
        var raw = await SixHoursAsync(dataSource, "interrupted");
        var now = Day.AddHours(6);
        var failing = new CompactionJob(dataSource, new FakeTimeProvider(now), new StorageMaintenanceOptions())
        {
            BeforeCommit = (_, hour, _) => hour == Day.AddHours(2) ? throw new InvalidOperationException("crash") : Task.CompletedTask,
        };

        await Assert.ThrowsAsync<InvalidOperationException>(() => failing.RunAsync(raw.Rollout, CancellationToken.None));
        var ledgerAfterCrash = await LedgerAsync(dataSource, raw.Rollout);
        var hourlyAfterCrash = await HourlySnapshotAsync(dataSource, raw.Rollout);
        var windowAfterCrash = await new TelemetryWindowReader(dataSource).ReadAsync(raw.Rollout, Day, Day.AddHours(6), CancellationToken.None);
        var resumed = await Job(dataSource, now).RunAsync(raw.Rollout, CancellationToken.None);

        Assert.Equal([Day, Day.AddHours(1)], ledgerAfterCrash);
        Assert.DoesNotContain(hourlyAfterCrash, row => row.StartsWith(Day.AddHours(2).ToString("O"), StringComparison.Ordinal));
        AssertWindowEquals(raw, Day, Day.AddHours(6), windowAfterCrash);
        Assert.Equal(2, resumed);
        Assert.Equal([Day, Day.AddHours(1), Day.AddHours(2), Day.AddHours(3)], await LedgerAsync(dataSource, raw.Rollout));
        AssertWindowEquals(raw, Day, Day.AddHours(6), await new TelemetryWindowReader(dataSource).ReadAsync(raw.Rollout, Day, Day.AddHours(6), CancellationToken.None));
    }

    [PostgresFact]
    public async Task CompactHourAsync_TwoJobsRacing_ExactlyOneCompactsTheHour()
    {
        var dataSource = await DatabaseAsync();
        var raw = await SixHoursAsync(dataSource, "race");
        var now = Day.AddHours(8);
        var inside = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var first = new CompactionJob(dataSource, new FakeTimeProvider(now), new StorageMaintenanceOptions())
        {
            BeforeCommit = async (_, _, _) =>
            {
                inside.SetResult();
                await release.Task;
            },
        };

        var firstRun = first.CompactHourAsync(raw.Rollout, Day.AddHours(1), CancellationToken.None);
        await inside.Task;
        var secondRun = Job(dataSource, now).CompactHourAsync(raw.Rollout, Day.AddHours(1), CancellationToken.None);
        // The second job's ledger claim waits on the first's uncommitted claim of the same hour.
        await LockWait.UntilBlockedAsync(dataSource, "INSERT INTO compacted_hours", secondRun);
        var secondFinishedEarly = secondRun.IsCompleted;
        release.SetResult();

        Assert.False(secondFinishedEarly);
        Assert.True(await firstRun);
        Assert.False(await secondRun);
        Assert.Equal([Day.AddHours(1)], await LedgerAsync(dataSource, raw.Rollout));
        AssertWindowEquals(raw, Day, Day.AddHours(6), await new TelemetryWindowReader(dataSource).ReadAsync(raw.Rollout, Day, Day.AddHours(6), CancellationToken.None));
    }

    [PostgresFact]
    public async Task CompactHourAsync_RacingJobFailsBeforeCommit_WaitingJobCompactsTheHour()
    {
        var dataSource = await DatabaseAsync();
        var raw = await SixHoursAsync(dataSource, "race-crash");
        var now = Day.AddHours(8);
        var inside = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var failing = new CompactionJob(dataSource, new FakeTimeProvider(now), new StorageMaintenanceOptions())
        {
            BeforeCommit = async (_, _, _) =>
            {
                inside.SetResult();
                await release.Task;
                throw new InvalidOperationException("crash");
            },
        };

        var failingRun = failing.CompactHourAsync(raw.Rollout, Day.AddHours(1), CancellationToken.None);
        await inside.Task;
        var waitingRun = Job(dataSource, now).CompactHourAsync(raw.Rollout, Day.AddHours(1), CancellationToken.None);
        // Fail the first job only once the second is queued behind its claim: the hour must pass to the waiter.
        await LockWait.UntilBlockedAsync(dataSource, "INSERT INTO compacted_hours", waitingRun);
        var waitingFinishedEarly = waitingRun.IsCompleted;
        release.SetResult();

        Assert.False(waitingFinishedEarly);
        await Assert.ThrowsAsync<InvalidOperationException>(() => failingRun);
        Assert.True(await waitingRun);
        Assert.Equal([Day.AddHours(1)], await LedgerAsync(dataSource, raw.Rollout));
        AssertWindowEquals(raw, Day, Day.AddHours(6), await new TelemetryWindowReader(dataSource).ReadAsync(raw.Rollout, Day, Day.AddHours(6), CancellationToken.None));
    }

    [PostgresFact]
    public async Task RetentionJob_OldUncompactedHours_KeepsTheirRawRows()
    {
        var dataSource = await DatabaseAsync();
        var raw = await SixHoursAsync(dataSource, "retention");
        var compaction = Job(dataSource, Day.AddHours(4));
        foreach (var hour in (DateTimeOffset[])[Day, Day.AddHours(1), Day.AddHours(4)])
        {
            Assert.True(await compaction.CompactHourAsync(raw.Rollout, hour, CancellationToken.None));
        }

        // A sidecar flushing hour 0 late, after its compaction: not in the hourly rows, so retention must keep it.
        var late = new RawTelemetry(raw.Rollout);
        late.AddIntervals(Day.AddMinutes(5), Day.AddMinutes(6), TimeSpan.FromMinutes(1), 1, seed: 99, sidecarPrefix: "late-sidecar-");
        await late.LoadAsync(dataSource);
        // Written after hour 0 was compacted, stated outright: the now() of two quick transactions may tie at the clock's resolution.
        await using (var lateWrite = dataSource.CreateCommand(
            $"""
            UPDATE interval_histograms i SET written_at = l.compacted_at + interval '1 second' FROM compacted_hours l
            WHERE i.rollout = '{raw.Rollout}' AND i.sidecar_id LIKE 'late-sidecar-%' AND l.rollout = i.rollout AND l.hour_start = '{Day:O}';
            UPDATE interval_counters i SET written_at = l.compacted_at + interval '1 second' FROM compacted_hours l
            WHERE i.rollout = '{raw.Rollout}' AND i.sidecar_id LIKE 'late-sidecar-%' AND l.rollout = i.rollout AND l.hour_start = '{Day:O}'
            """))
        {
            Assert.Equal(late.RowCount, await lateWrite.ExecuteNonQueryAsync());
        }

        var retention = new RetentionJob(dataSource, new FakeTimeProvider(Day.AddHours(4).AddHours(48)), new StorageMaintenanceOptions());

        var deleted = await retention.RunAsync(CancellationToken.None);

        Assert.True(deleted > 0);
        var perHour = await RawRowsPerHourAsync(dataSource, raw.Rollout);
        Assert.Equal(late.RowCount, perHour.GetValueOrDefault(Day));
        Assert.False(perHour.ContainsKey(Day.AddHours(1)));
        Assert.Equal(raw.RowCount / 6, perHour[Day.AddHours(2)]);
        Assert.Equal(raw.RowCount / 6, perHour[Day.AddHours(3)]);
        Assert.Equal(raw.RowCount / 6, perHour[Day.AddHours(4)]);
        Assert.Equal(raw.RowCount / 6, perHour[Day.AddHours(5)]);
        AssertWindowEquals(raw, Day, Day.AddHours(6), await new TelemetryWindowReader(dataSource).ReadAsync(raw.Rollout, Day, Day.AddHours(6), CancellationToken.None));
    }

    [PostgresFact]
    public async Task RetentionJob_CompactedHoursWithinRetention_KeepsTheirRawRows()
    {
        var dataSource = await DatabaseAsync();
        var raw = await SixHoursAsync(dataSource, "retention-young");
        await Job(dataSource, Day.AddHours(8)).RunAsync(raw.Rollout, CancellationToken.None);
        var retention = new RetentionJob(dataSource, new FakeTimeProvider(Day.AddHours(51)), new StorageMaintenanceOptions());

        await retention.RunAsync(CancellationToken.None);

        // Cutoff is hour 3: hours 0..2 ended before it and go, hours 3..5 stay.
        var perHour = await RawRowsPerHourAsync(dataSource, raw.Rollout);
        Assert.Equal([Day.AddHours(3), Day.AddHours(4), Day.AddHours(5)], perHour.Keys.Order().ToArray());
    }

    [PostgresFact]
    public async Task ReadAsync_WindowEndingNow_ReadsSlicesAndRecentRawExactly()
    {
        var dataSource = await DatabaseAsync();
        var raw = new RawTelemetry("recent");
        raw.AddIntervals(Day, Day.AddHours(2), TimeSpan.FromMinutes(1), 3, seed: 11);
        await raw.LoadAsync(dataSource);
        var now = Day.AddHours(2);
        var from = Day.AddMinutes(7);

        var hours = await Job(dataSource, now).RunAsync(raw.Rollout, CancellationToken.None);
        var slices = await SliceLedgerAsync(dataSource, raw.Rollout);
        // Raw rows of one rolled-up slice are inflated afterwards: the window must still read that slice's roll-up.
        await ExecuteAsync(dataSource,
            $"UPDATE interval_counters SET value = value + 1000 WHERE rollout = '{raw.Rollout}' AND interval_start >= '{Day.AddMinutes(30):O}' AND interval_start < '{Day.AddMinutes(35):O}'");
        var window = await new TelemetryWindowReader(dataSource).ReadAsync(raw.Rollout, from, now, CancellationToken.None);

        // Hours end at least 2 h ago (none yet); slices end at least 2 min ago: 00:00 to 01:50, 23 of them.
        Assert.Equal(0, hours);
        Assert.Equal(23, slices.Count);
        Assert.Equal(Day, slices[0]);
        Assert.Equal(Day.AddMinutes(110), slices[^1]);
        AssertWindowEquals(raw, from, now, window);
    }

    [PostgresFact]
    public async Task RunSlicesAsync_Rerun_IsNoOpAndRetentionDropsSlicesWithTheirHour()
    {
        var dataSource = await DatabaseAsync();
        var raw = await SixHoursAsync(dataSource, "slice-retention");
        var job = Job(dataSource, Day.AddHours(8));

        await job.RunAsync(raw.Rollout, CancellationToken.None);
        var again = await job.RunSlicesAsync(raw.Rollout, CancellationToken.None);
        await new RetentionJob(dataSource, new FakeTimeProvider(Day.AddHours(51)), new StorageMaintenanceOptions()).RunAsync(CancellationToken.None);

        Assert.Equal(0, again);
        var slices = await SliceLedgerAsync(dataSource, raw.Rollout);
        Assert.Equal(36, slices.Count);
        Assert.Equal(Day.AddHours(3), slices[0]);
        AssertWindowEquals(raw, Day.AddHours(3).AddMinutes(10), Day.AddHours(6), await new TelemetryWindowReader(dataSource).ReadAsync(
            raw.Rollout, Day.AddHours(3).AddMinutes(10), Day.AddHours(6), CancellationToken.None));
    }

    private static CompactionJob Job(NpgsqlDataSource dataSource, DateTimeOffset now) =>
        new(dataSource, new FakeTimeProvider(now), new StorageMaintenanceOptions());

    /// <summary>Six whole hours from <see cref="Day"/>: 3 sidecars flushing every 5 minutes.</summary>
    private static async Task<RawTelemetry> SixHoursAsync(NpgsqlDataSource dataSource, string rollout)
    {
        var raw = new RawTelemetry(rollout);
        raw.AddIntervals(Day, Day.AddHours(6), TimeSpan.FromMinutes(5), 3, seed: rollout.Length);
        await raw.LoadAsync(dataSource);
        return raw;
    }

    private static void AssertWindowEquals(RawTelemetry raw, DateTimeOffset from, DateTimeOffset to, RolloutWindow window)
    {
        foreach (var ((subset, metric), expected) in raw.ExpectedHistograms(from, to))
        {
            var actual = window.Arm(subset).Histogram(metric);
            Assert.NotNull(actual);
            Assert.Equal(expected.TotalCount, actual.TotalCount);
            Assert.Equal(expected.Sum, actual.Sum);
            Assert.Equal(expected.Min, actual.Min);
            Assert.Equal(expected.Max, actual.Max);
            Assert.True(expected.Counts.SequenceEqual(actual.Counts), $"{subset}/{metric}: bucket counts differ");
            foreach (var q in Quantiles)
            {
                Assert.Equal(expected.ValueAtQuantile(q), actual.ValueAtQuantile(q));
            }
        }

        foreach (var subset in RawTelemetry.Subsets)
        {
            foreach (var counter in RawTelemetry.Counters)
            {
                Assert.Equal(raw.ExpectedCounter(subset, counter, from, to), window.Arm(subset).Counter(counter));
            }
        }
    }

    private static async Task<List<DateTimeOffset>> LedgerAsync(NpgsqlDataSource dataSource, string rollout)
    {
        var hours = new List<DateTimeOffset>();
        await using var command = dataSource.CreateCommand($"SELECT hour_start FROM compacted_hours WHERE rollout = '{rollout}' ORDER BY hour_start");
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            hours.Add(new DateTimeOffset(reader.GetFieldValue<DateTime>(0), TimeSpan.Zero));
        }

        return hours;
    }

    private static async Task<List<DateTimeOffset>> SliceLedgerAsync(NpgsqlDataSource dataSource, string rollout)
    {
        var slices = new List<DateTimeOffset>();
        await using var command = dataSource.CreateCommand($"SELECT slice_start FROM compacted_slices WHERE rollout = '{rollout}' ORDER BY slice_start");
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            slices.Add(new DateTimeOffset(reader.GetFieldValue<DateTime>(0), TimeSpan.Zero));
        }

        return slices;
    }

    private static async Task<List<string>> HourlySnapshotAsync(NpgsqlDataSource dataSource, string rollout)
    {
        var rows = new List<string>();
        await using var command = dataSource.CreateCommand(
            $"""
            SELECT hour_start, subset, metric, encode(encoded, 'hex') FROM hourly_histograms WHERE rollout = '{rollout}'
            UNION ALL SELECT hour_start, subset, counter, value::text FROM hourly_counters WHERE rollout = '{rollout}'
            ORDER BY 1, 2, 3
            """);
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            var hour = new DateTimeOffset(reader.GetFieldValue<DateTime>(0), TimeSpan.Zero);
            rows.Add($"{hour:O} {reader.GetString(1)} {reader.GetString(2)} {reader.GetString(3)}");
        }

        return rows;
    }

    private static async Task<Dictionary<DateTimeOffset, int>> RawRowsPerHourAsync(NpgsqlDataSource dataSource, string rollout)
    {
        var perHour = new Dictionary<DateTimeOffset, int>();
        await using var command = dataSource.CreateCommand(
            $"""
            SELECT date_trunc('hour', interval_start AT TIME ZONE 'UTC') AT TIME ZONE 'UTC' AS h, count(*)::int FROM (
                SELECT interval_start FROM interval_histograms WHERE rollout = '{rollout}'
                UNION ALL SELECT interval_start FROM interval_counters WHERE rollout = '{rollout}') r
            GROUP BY h
            """);
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            perHour[new DateTimeOffset(reader.GetFieldValue<DateTime>(0), TimeSpan.Zero)] = reader.GetInt32(1);
        }

        return perHour;
    }

    private static async Task ExecuteAsync(NpgsqlDataSource dataSource, string sql)
    {
        await using var command = dataSource.CreateCommand(sql);
        await command.ExecuteNonQueryAsync();
    }

    private async Task<NpgsqlDataSource> DatabaseAsync()
    {
        await DatabaseLock.WaitAsync();
        try
        {
            if (_database is null)
            {
                var dataSource = await _postgres.CreateDatabaseAsync();
                await SchemaMigrator.MigrateAsync(dataSource);
                _database = dataSource;
            }

            return _database;
        }
        finally
        {
            DatabaseLock.Release();
        }
    }
}
