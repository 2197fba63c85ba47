using System.Diagnostics;
using System.Globalization;
using Canary.Analyzer.Storage;
using Canary.Contracts.Telemetry;
using Canary.Contracts.Telemetry.Storage;
using Npgsql;
using NpgsqlTypes;

namespace Canary.Benchmarks.Storage;

/// <summary>
/// Storage benchmark (not BenchmarkDotNet: one load of a database, then timed queries). Fills a fresh database with a
/// day of interval telemetry (sidecars flushing every 10 s, both subsets, every metric), compacts it, and times
/// <see cref="TelemetryWindowReader.ReadAsync"/> over 24 hours; then loads the obvious design (one row per request, latency
/// column) with the same requests and times its PERCENTILE_CONT query; reports rows and bytes on disk of both. Also times
/// a 24-hour window ending now, with the last two hours uncompacted, before and after the five-minute slices are rolled up.
/// </summary>
/// <remarks>
/// <c>dotnet run -c Release --project bench/Benchmarks -- storage [--short] [--connection "..."] [--keep]</c>; the
/// connection string defaults to CANARY_TEST_POSTGRES. Output is "key: value" lines, one per figure.
/// </remarks>
internal static class StorageBenchmark
{
    private const string Rollout = "model-a";
    private static readonly DateTimeOffset Day = new(2026, 3, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly string[] Subsets = ["stable", "canary"];
    private static readonly TelemetryCounter[] Counters =
        [TelemetryCounter.Requests, TelemetryCounter.Status2xx, TelemetryCounter.Status5xx, TelemetryCounter.FinishStop];

    public static async Task<int> RunAsync(string[] args)
    {
        var shortMode = args.Contains("--short");
        var keep = args.Contains("--keep");
        var connectionString = BenchmarkDatabase.ServerConnectionString(args);
        if (connectionString is null)
        {
            await Console.Error.WriteLineAsync("storage: set CANARY_TEST_POSTGRES or pass --connection (source .ci/postgres.sh start).");
            return 2;
        }

        // Full: 20 sidecars × 8640 intervals of 10 s (a day). Short: 4 sidecars × 6 hours, for CI.
        var sidecars = shortMode ? 4 : 20;
        var hours = shortMode ? 6 : 24;
        var intervalsPerHour = 360;
        var intervals = hours * intervalsPerHour;
        var timedRuns = shortMode ? 5 : 20;

        var database = await BenchmarkDatabase.CreateAsync(connectionString, "canary_storagebench_");
        try
        {
            await using var dataSource = new NpgsqlSlimDataSourceBuilder(database.ConnectionString).Build();
            await SchemaMigrator.MigrateAsync(dataSource);
            Report("mode", shortMode ? "short" : "full");
            Report("sidecars", sidecars);
            Report("interval_s", 10);
            Report("hours", hours);
            Report("metrics", TelemetryNames.MetricCount);

            var random = new Random(20260301);
            var pool = HistogramPool.Create(random);
            var load = Stopwatch.StartNew();
            var (histogramRows, counterRows, requests, latencies) = await LoadIntervalsAsync(dataSource, pool, random, sidecars, intervals);
            Report("interval_load_s", load.Elapsed.TotalSeconds);
            Report("interval_histogram_rows", histogramRows);
            Report("interval_counter_rows", counterRows);
            Report("requests", requests);
            await VacuumAsync(dataSource, "interval_histograms", "interval_counters");
            var rawBytes = await TotalSizeAsync(dataSource, "interval_histograms") + await TotalSizeAsync(dataSource, "interval_counters");
            Report("interval_bytes", rawBytes);

            var end = Day.AddHours(hours);
            var reader = new TelemetryWindowReader(dataSource);
            var rawRead = Stopwatch.StartNew();
            var rawWindow = await reader.ReadAsync(Rollout, Day, end, CancellationToken.None);
            Report("read_uncompacted_ms", rawRead.Elapsed.TotalMilliseconds);

            // Compaction as the analyzer runs it the moment the day is old enough (default age 2 h): every hour.
            var compaction = Stopwatch.StartNew();
            // Hours only here (slices would be rolled up too; they are timed on their own below).
            var hoursOnly = new StorageMaintenanceOptions { SliceCompactAfter = TimeSpan.FromDays(3650) };
            var compacted = await new CompactionJob(dataSource, new FixedTimeProvider(end.AddHours(2)), hoursOnly)
                .RunAsync(CancellationToken.None);
            Report("compaction_s", compaction.Elapsed.TotalSeconds);
            Report("compacted_hours", compacted);
            await VacuumAsync(dataSource, "hourly_histograms", "hourly_counters", "compacted_hours");
            Report("hourly_rows", await CountAsync(dataSource, "hourly_histograms") + await CountAsync(dataSource, "hourly_counters"));
            var hourlyBytes = await TotalSizeAsync(dataSource, "hourly_histograms") + await TotalSizeAsync(dataSource, "hourly_counters")
                + await TotalSizeAsync(dataSource, "compacted_hours");
            Report("hourly_bytes", hourlyBytes);

            var compactedWindow = await reader.ReadAsync(Rollout, Day, end, CancellationToken.None);
            Report("compacted_equals_raw", SameWindow(rawWindow, compactedWindow) ? "true" : "false");
            var readMs = await TimeAsync(timedRuns, () => reader.ReadAsync(Rollout, Day, end, CancellationToken.None));
            Report("read_compacted_window", $"{hours} h");
            Report("read_compacted_median_ms", readMs.Median);
            Report("read_compacted_max_ms", readMs.Max);

            // A window ending "now" right after the day: the last two hours are not compactable yet and are read raw.
            var recentJob = new CompactionJob(dataSource, new FixedTimeProvider(end), new StorageMaintenanceOptions());
            await ExecuteAsync(dataSource, $"DELETE FROM hourly_histograms WHERE hour_start >= '{end.AddHours(-2):O}'; " +
                $"DELETE FROM hourly_counters WHERE hour_start >= '{end.AddHours(-2):O}'; DELETE FROM compacted_hours WHERE hour_start >= '{end.AddHours(-2):O}'");
            Report("recent_cutoff", recentJob.Cutoff.ToString("O", CultureInfo.InvariantCulture));
            var recentMs = await TimeAsync(timedRuns, () => reader.ReadAsync(Rollout, Day, end, CancellationToken.None));
            Report("read_last_2h_raw_median_ms", recentMs.Median);

            // The same window with the five-minute slices rolled up as the analyzer's run-once does at "now": every closed
            // slice at least 2 min old, so the last 5 min stay raw. The first run backfills all slices of the day.
            var sliceCompaction = Stopwatch.StartNew();
            var slices = await recentJob.RunSlicesAsync(null, CancellationToken.None);
            Report("slice_compaction_backfill_s", sliceCompaction.Elapsed.TotalSeconds);
            Report("compacted_slices", slices);
            Report("slice_cutoff", recentJob.SliceCutoff.ToString("O", CultureInfo.InvariantCulture));

            // Steady state: each analyzer run rolls up the one or two slices closed since the previous run.
            var lastSlice = recentJob.SliceCutoff - TelemetrySlices.Length;
            await ExecuteAsync(dataSource, $"DELETE FROM slice_histograms WHERE slice_start = '{lastSlice:O}'; " +
                $"DELETE FROM slice_counters WHERE slice_start = '{lastSlice:O}'; DELETE FROM compacted_slices WHERE slice_start = '{lastSlice:O}'");
            var oneSlice = Stopwatch.StartNew();
            await recentJob.CompactSliceAsync(Rollout, lastSlice, CancellationToken.None);
            Report("slice_compaction_one_slice_ms", oneSlice.Elapsed.TotalMilliseconds);
            await VacuumAsync(dataSource, "slice_histograms", "slice_counters", "compacted_slices");
            Report("slice_rows", await CountAsync(dataSource, "slice_histograms") + await CountAsync(dataSource, "slice_counters"));
            Report("slice_bytes", await TotalSizeAsync(dataSource, "slice_histograms") + await TotalSizeAsync(dataSource, "slice_counters")
                + await TotalSizeAsync(dataSource, "compacted_slices"));
            var sliced = await reader.ReadAsync(Rollout, Day, end, CancellationToken.None);
            Report("sliced_equals_raw", SameWindow(rawWindow, sliced) ? "true" : "false");
            var nowMs = await TimeAsync(timedRuns, () => reader.ReadAsync(Rollout, Day, end, CancellationToken.None));
            Report("read_now_with_slices_median_ms", nowMs.Median);
            Report("read_now_with_slices_max_ms", nowMs.Max);

            // A window starting mid-hour (stage start plus warm-up is arbitrary): the partial first hour comes from slices.
            var unalignedFrom = Day.AddMinutes(17).AddSeconds(30);
            var unalignedMs = await TimeAsync(timedRuns, () => reader.ReadAsync(Rollout, unalignedFrom, end, CancellationToken.None));
            Report("read_now_unaligned_start_median_ms", unalignedMs.Median);
            Report("goal_read_24h_ending_now_le_200ms", nowMs.Median <= 200 && unalignedMs.Median <= 200 ? "met" : "missed");

            // The obvious design: one row per request with its latency, percentiles computed by the query.
            var perRequest = Stopwatch.StartNew();
            await LoadRequestsAsync(dataSource, latencies, sidecars, intervals, random);
            Report("request_load_s", perRequest.Elapsed.TotalSeconds);
            await VacuumAsync(dataSource, "request_latencies");
            var requestRows = await CountAsync(dataSource, "request_latencies");
            var requestBytes = await TotalSizeAsync(dataSource, "request_latencies");
            Report("request_rows", requestRows);
            Report("request_bytes", requestBytes);
            var percentileMs = await TimeAsync(timedRuns, () => PercentilesAsync(dataSource, Day, end));
            Report("percentile_cont_median_ms", percentileMs.Median);
            Report("percentile_cont_max_ms", percentileMs.Max);

            var histogramRowsNow = await CountAsync(dataSource, "hourly_histograms") + await CountAsync(dataSource, "hourly_counters");
            Report("ratio_rows_request_to_hourly", (double)requestRows / histogramRowsNow);
            Report("ratio_bytes_request_to_hourly", (double)requestBytes / hourlyBytes);
            Report("ratio_bytes_request_to_interval", (double)requestBytes / rawBytes);
            Report("ratio_time_percentile_to_read", percentileMs.Median / readMs.Median);
            Report("goal_read_24h_le_200ms", readMs.Median <= 200 ? "met" : "missed");
            return 0;
        }
        finally
        {
            if (!keep)
            {
                await database.DropAsync();
            }
            else
            {
                Report("database", database.Name);
            }
        }
    }

    private static async Task<(long HistogramRows, long CounterRows, long Requests, List<long[]> Latencies)> LoadIntervalsAsync(
        NpgsqlDataSource dataSource, HistogramPool pool, Random random, int sidecars, int intervals)
    {
        long histogramRows = 0;
        long counterRows = 0;
        long requests = 0;
        var latencies = new List<long[]>(pool.Count);
        for (var i = 0; i < pool.Count; i++)
        {
            latencies.Add(pool.Latencies(i));
        }

        // The pool entry of every (sidecar, interval, subset) is drawn once and kept, so the per-request table holds
        // exactly the same requests and latencies.
        await using var connection = await dataSource.OpenConnectionAsync();
        histogramRows = await TelemetryRowWriter.CopyHistogramsAsync(connection, TelemetryTier.Raw, HistogramRows(), CancellationToken.None);
        counterRows = await TelemetryRowWriter.CopyCountersAsync(connection, TelemetryTier.Raw, CounterRows(), CancellationToken.None);

        IEnumerable<HistogramRow> HistogramRows()
        {
            var picks = new Random(7);
            for (var s = 0; s < sidecars; s++)
            {
                var sidecar = "sidecar-" + s.ToString("D2", CultureInfo.InvariantCulture);
                for (var t = 0; t < intervals; t++)
                {
                    var start = Day.AddSeconds(10 * t).UtcDateTime;
                    foreach (var subset in Subsets)
                    {
                        var entry = picks.Next(pool.Count);
                        requests += pool.Requests(entry);
                        for (var m = 0; m < TelemetryNames.MetricCount; m++)
                        {
                            yield return IntervalRows.Histogram(sidecar, Rollout, subset, m, start, pool.Encoded(entry, m));
                        }
                    }
                }
            }
        }

        IEnumerable<CounterRow> CounterRows()
        {
            var picks = new Random(7);
            for (var s = 0; s < sidecars; s++)
            {
                var sidecar = "sidecar-" + s.ToString("D2", CultureInfo.InvariantCulture);
                for (var t = 0; t < intervals; t++)
                {
                    var start = Day.AddSeconds(10 * t).UtcDateTime;
                    foreach (var subset in Subsets)
                    {
                        var entry = picks.Next(pool.Count);
                        var n = pool.Requests(entry);
                        var errors = random.Next(100) == 0 ? 1 : 0;
                        foreach (var counter in Counters)
                        {
                            var value = counter == TelemetryCounter.Status5xx ? errors : counter == TelemetryCounter.Status2xx ? n - errors : n;
                            yield return IntervalRows.Counter(sidecar, Rollout, subset, counter, start, value);
                        }
                    }
                }
            }
        }

        return (histogramRows, counterRows, requests, latencies);
    }

    private static async Task LoadRequestsAsync(NpgsqlDataSource dataSource, List<long[]> latencies, int sidecars, int intervals, Random random)
    {
        await ExecuteAsync(dataSource,
            """
            CREATE TABLE request_latencies (
                rollout     text        NOT NULL,
                subset      text        NOT NULL,
                at          timestamptz NOT NULL,
                status      smallint    NOT NULL,
                latency_us  bigint      NOT NULL
            );
            """);
        await using (var connection = await dataSource.OpenConnectionAsync())
        await using (var rows = await connection.BeginBinaryImportAsync(
            "COPY request_latencies (rollout, subset, at, status, latency_us) FROM STDIN (FORMAT BINARY)"))
        {
            var picks = new Random(7);
            for (var s = 0; s < sidecars; s++)
            {
                for (var t = 0; t < intervals; t++)
                {
                    foreach (var subset in Subsets)
                    {
                        var values = latencies[picks.Next(latencies.Count)];
                        for (var r = 0; r < values.Length; r++)
                        {
                            await rows.StartRowAsync();
                            await rows.WriteAsync(Rollout, NpgsqlDbType.Text);
                            await rows.WriteAsync(subset, NpgsqlDbType.Text);
                            await rows.WriteAsync(Day.AddSeconds((10 * t) + (r % 10)).UtcDateTime, NpgsqlDbType.TimestampTz);
                            await rows.WriteAsync((short)(random.Next(100) == 0 ? 503 : 200), NpgsqlDbType.Smallint);
                            await rows.WriteAsync(values[r], NpgsqlDbType.Bigint);
                        }
                    }
                }
            }

            await rows.CompleteAsync();
        }

        await ExecuteAsync(dataSource, "CREATE INDEX request_latencies_rollout_time ON request_latencies (rollout, at)");
    }

    private static async Task<int> PercentilesAsync(NpgsqlDataSource dataSource, DateTimeOffset from, DateTimeOffset to)
    {
        await using var command = dataSource.CreateCommand(
            """
            SELECT subset, count(*), count(*) FILTER (WHERE status >= 500),
                   percentile_cont(0.5) WITHIN GROUP (ORDER BY latency_us),
                   percentile_cont(0.95) WITHIN GROUP (ORDER BY latency_us),
                   percentile_cont(0.99) WITHIN GROUP (ORDER BY latency_us)
            FROM request_latencies WHERE rollout = $1 AND at >= $2 AND at < $3 GROUP BY subset
            """);
        command.Parameters.Add(new NpgsqlParameter<string> { NpgsqlDbType = NpgsqlDbType.Text, TypedValue = Rollout });
        command.Parameters.Add(new NpgsqlParameter<DateTime> { NpgsqlDbType = NpgsqlDbType.TimestampTz, TypedValue = from.UtcDateTime });
        command.Parameters.Add(new NpgsqlParameter<DateTime> { NpgsqlDbType = NpgsqlDbType.TimestampTz, TypedValue = to.UtcDateTime });
        await using var reader = await command.ExecuteReaderAsync();
        var arms = 0;
        while (await reader.ReadAsync())
        {
            arms++;
        }

        return arms;
    }

    private static bool SameWindow(RolloutWindow expected, RolloutWindow actual)
    {
        foreach (var subset in Subsets)
        {
            for (var m = 0; m < TelemetryNames.MetricCount; m++)
            {
                var a = expected.Arm(subset).Histogram((TelemetryMetric)m);
                var b = actual.Arm(subset).Histogram((TelemetryMetric)m);
                if (a is null || b is null || a.TotalCount != b.TotalCount || a.Sum != b.Sum || a.Min != b.Min || a.Max != b.Max
                    || !a.Counts.SequenceEqual(b.Counts))
                {
                    return false;
                }
            }

            foreach (var counter in Counters)
            {
                if (expected.Arm(subset).Counter(counter) != actual.Arm(subset).Counter(counter))
                {
                    return false;
                }
            }
        }

        return true;
    }

    private static async Task<(double Median, double Max)> TimeAsync<T>(int runs, Func<Task<T>> action)
    {
        await action();
        var times = new double[runs];
        for (var i = 0; i < runs; i++)
        {
            var watch = Stopwatch.StartNew();
            await action();
            times[i] = watch.Elapsed.TotalMilliseconds;
        }

        Array.Sort(times);
        return (times[runs / 2], times[^1]);
    }

    private static async Task ExecuteAsync(NpgsqlDataSource dataSource, string sql)
    {
        await using var command = dataSource.CreateCommand(sql);
        await command.ExecuteNonQueryAsync();
    }

    private static async Task VacuumAsync(NpgsqlDataSource dataSource, params string[] tables)
    {
        foreach (var table in tables)
        {
            await ExecuteAsync(dataSource, $"VACUUM ANALYZE {table}");
        }
    }

    private static async Task<long> CountAsync(NpgsqlDataSource dataSource, string table)
    {
        await using var command = dataSource.CreateCommand($"SELECT count(*) FROM {table}");
        return (long)(await command.ExecuteScalarAsync())!;
    }

    private static async Task<long> TotalSizeAsync(NpgsqlDataSource dataSource, string table)
    {
        await using var command = dataSource.CreateCommand($"SELECT pg_total_relation_size('{table}')");
        return (long)(await command.ExecuteScalarAsync())!;
    }

    private static void Report(string key, string value) => Console.WriteLine($"{key}: {value}");

    private static void Report(string key, long value) => Report(key, value.ToString(CultureInfo.InvariantCulture));

    private static void Report(string key, double value) => Report(key, value.ToString("0.###", CultureInfo.InvariantCulture));
}
