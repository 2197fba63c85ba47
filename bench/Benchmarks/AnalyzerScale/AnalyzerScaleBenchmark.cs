using System.Diagnostics;
using System.Globalization;
using Canary.Analyzer.Decisions;
using Canary.Analyzer.Rollouts;
using Canary.Benchmarks.Storage;
using Canary.Contracts.Rollouts;
using Canary.Contracts.Telemetry;
using Canary.Contracts.Telemetry.Storage;
using Npgsql;

namespace Canary.Benchmarks.AnalyzerScale;

/// <summary>
/// The analyzer's side of "cost follows traffic, not configuration" (not BenchmarkDotNet: a database load, then timed
/// runs). Starts many rollouts in a fresh database, rolls most of them back (the history a long-lived install keeps),
/// gives each active one a stage of telemetry (both arms, several sidecars, 10-second intervals), then times
/// <see cref="RolloutRunner.RunOnceAsync"/>: dry runs (read every window and decide, change nothing) and one real run
/// (decisions recorded, the desired table written).
/// </summary>
/// <remarks>
/// <c>dotnet run -c Release --project bench/Benchmarks -- analyzer-scale [--rollouts 1000] [--active 100] [--short]
/// [--connection "..."]</c>; the connection string defaults to CANARY_TEST_POSTGRES. Output is "key: value" lines.
/// </remarks>
internal static class AnalyzerScaleBenchmark
{
    private static readonly DateTimeOffset StageStart = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);

    public static async Task<int> RunAsync(string[] args)
    {
        var shortMode = args.Contains("--short");
        var rollouts = Option(args, "--rollouts", shortMode ? 100 : 1000);
        var active = Option(args, "--active", shortMode ? 10 : 100);
        var connectionString = BenchmarkDatabase.ServerConnectionString(args);
        if (connectionString is null || active > rollouts)
        {
            await Console.Error.WriteLineAsync("analyzer-scale: set CANARY_TEST_POSTGRES or pass --connection; --active may not exceed --rollouts.");
            return 2;
        }

        // 20 minutes of stage from 3 sidecars: about 1 000 requests per arm (the default minimum samples), so every
        // active rollout is judged on a full window rather than held for too few samples.
        const int Sidecars = 3;
        var intervals = shortMode ? 30 : 120;
        var timedRuns = shortMode ? 3 : 5;

        var database = await BenchmarkDatabase.CreateAsync(connectionString, "canary_analyzerscale_");
        try
        {
            await using var dataSource = new NpgsqlSlimDataSourceBuilder(database.ConnectionString).Build();
            await SchemaMigrator.MigrateAsync(dataSource);
            Report("rollouts", rollouts);
            Report("active", active);
            Report("sidecars", Sidecars);
            Report("stage_minutes", intervals / 6.0);

            var startClock = new FixedTimeProvider(StageStart);
            var lifecycle = new RolloutLifecycle(dataSource, new RolloutRunner(dataSource, new DecisionEngine(startClock), startClock, null, null), startClock);
            var errors = new List<string>();
            var options = ScheduleParser.Parse("5/1h,10/1h,25/1h,50/1h,75/1h,100", new DecisionOptions(), errors) with { WarmUp = TimeSpan.Zero };
            if (errors.Count > 0)
            {
                throw new InvalidOperationException(string.Join("; ", errors));
            }

            var setup = Stopwatch.StartNew();
            for (var i = 0; i < rollouts; i++)
            {
                await lifecycle.StartAsync(new RolloutDefinition { RouteKey = RouteKey(i), StableSubset = "stable", CanarySubset = "canary", Salt = $"scale-{i}" }, options, default);
            }

            for (var i = active; i < rollouts; i++)
            {
                await lifecycle.RollbackAsync(RouteKey(i), "inactive in this benchmark", default);
            }

            Report("setup_lifecycle_s", setup.Elapsed.TotalSeconds);
            var load = Stopwatch.StartNew();
            var rows = await LoadStagesAsync(dataSource, active, Sidecars, intervals);
            Report("telemetry_load_s", load.Elapsed.TotalSeconds);
            Report("telemetry_rows", rows);

            var now = new FixedTimeProvider(StageStart.AddSeconds((intervals * 10) + 10));
            var runner = new RolloutRunner(dataSource, new DecisionEngine(now), now, null, null);
            var first = Stopwatch.StartNew();
            var outcome = await runner.RunOnceAsync(dryRun: true, default);
            Report("dry_run_first_ms", first.Elapsed.TotalMilliseconds);
            Report("decisions", outcome.Decisions.Count);
            foreach (var group in outcome.Decisions.GroupBy(d => d.Action).OrderBy(g => g.Key, StringComparer.Ordinal))
            {
                Report("decisions_" + group.Key, group.Count());
            }

            var times = new List<double>(timedRuns);
            for (var run = 0; run < timedRuns; run++)
            {
                var watch = Stopwatch.StartNew();
                await runner.RunOnceAsync(dryRun: true, default);
                times.Add(watch.Elapsed.TotalMilliseconds);
            }

            times.Sort();
            Report("dry_run_median_ms", times[times.Count / 2]);
            Report("dry_run_max_ms", times[^1]);
            var real = Stopwatch.StartNew();
            var acted = await runner.RunOnceAsync(dryRun: false, default);
            Report("run_ms", real.Elapsed.TotalMilliseconds);
            Report("run_decisions", acted.Decisions.Count);
            return acted.Decisions.Count == active ? 0 : 1;
        }
        finally
        {
            await database.DropAsync();
        }
    }

    private static string RouteKey(int i) => "model-" + i.ToString("D5", CultureInfo.InvariantCulture) + ".example";

    /// <summary>Every active rollout's stage: both arms, each sidecar, each interval, every metric and the request counters.</summary>
    private static async Task<long> LoadStagesAsync(NpgsqlDataSource dataSource, int active, int sidecars, int intervals)
    {
        var random = new Random(20260301);
        var pool = HistogramPool.Create(random);
        long rows = 0;
        await using var connection = await dataSource.OpenConnectionAsync();
        var picks = new List<(string Rollout, string Subset, string Sidecar, DateTime Start, int Entry)>();
        for (var r = 0; r < active; r++)
        {
            foreach (var subset in (string[])["stable", "canary"])
            {
                for (var s = 0; s < sidecars; s++)
                {
                    for (var t = 0; t < intervals; t++)
                    {
                        picks.Add((RouteKey(r), subset, "sidecar-" + s.ToString(CultureInfo.InvariantCulture), StageStart.AddSeconds(10 * t).UtcDateTime, random.Next(pool.Count)));
                    }
                }
            }
        }

        rows += await TelemetryRowWriter.CopyHistogramsAsync(connection, TelemetryTier.Raw,
            picks.SelectMany(pick => Enumerable.Range(0, TelemetryNames.MetricCount)
                .Select(m => IntervalRows.Histogram(pick.Sidecar, pick.Rollout, pick.Subset, m, pick.Start, pool.Encoded(pick.Entry, m)))),
            CancellationToken.None);
        rows += await TelemetryRowWriter.CopyCountersAsync(connection, TelemetryTier.Raw,
            picks.SelectMany(pick => new[] { TelemetryCounter.Requests, TelemetryCounter.Status2xx }
                .Select(c => IntervalRows.Counter(pick.Sidecar, pick.Rollout, pick.Subset, c, pick.Start, pool.Requests(pick.Entry)))),
            CancellationToken.None);

        return rows;
    }

    private static int Option(string[] args, string name, int fallback)
    {
        var index = Array.IndexOf(args, name);
        return index >= 0 && index + 1 < args.Length ? int.Parse(args[index + 1], CultureInfo.InvariantCulture) : fallback;
    }

    private static void Report(string key, long value) => Console.WriteLine($"{key}: {value.ToString(CultureInfo.InvariantCulture)}");

    private static void Report(string key, double value) => Console.WriteLine($"{key}: {value.ToString("0.###", CultureInfo.InvariantCulture)}");
}
