using Canary.Analyzer.Preflight;
using Canary.Analyzer.Rollouts;
using Canary.Contracts.Rollouts;
using Canary.Contracts.Telemetry;
using Canary.Contracts.Telemetry.Storage;
using Npgsql;
using NpgsqlTypes;

namespace Canary.Analyzer.Reports;

/// <summary>
/// Builds a <see cref="RolloutReport"/> from PostgreSQL: the lifecycle row and the desired table (names, status),
/// every decision record (reasons and the stage timeline), the merged histograms of the whole rollout (latency CDFs,
/// exact across sidecars and intervals) and per-interval counters bucketed over time (error and refusal rates with
/// Wilson 95 % intervals), the stage-1 record with what the internal testers saw over the same window, and the requests of
/// every off-comparison arm over that window, and the quality samples taken in it with their judgements.
/// </summary>
internal static class ReportLoader
{
    /// <summary>Rate charts get about this many points whatever the rollout's length (buckets never under 10 s).</summary>
    private const int RateBuckets = 24;

    private static readonly (TelemetryMetric Metric, string Name)[] LatencyMetrics =
    [
        (TelemetryMetric.DurationUs, "total duration"),
        (TelemetryMetric.TimeToFirstTokenUs, "time to first token"),
    ];

    public static async Task<RolloutReport> LoadAsync(NpgsqlDataSource dataSource, string rollout, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await SchemaMigrator.MigrateAsync(dataSource, cancellationToken).ConfigureAwait(false);
        RolloutProgress? progress;
        await using (var connection = await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false))
        {
            progress = (await RolloutStore.ReadProgressAsync(connection, null, cancellationToken).ConfigureAwait(false)).Find(p => p.Rollout == rollout);
        }

        if (progress is null)
        {
            throw new RolloutNotFoundException(rollout);
        }

        var table = (await DesiredTableStore.ReadAsync(dataSource, cancellationToken).ConfigureAwait(false))?.Table;
        RolloutDefinition? definition = null;
        foreach (var candidate in table?.Rollouts ?? [])
        {
            definition = candidate.RouteKey == rollout ? candidate : definition;
        }

        var stable = definition?.StableSubset ?? "stable";
        var canary = definition?.CanarySubset ?? "canary";
        var records = await RolloutStore.ReadHistoryAsync(dataSource, rollout, int.MaxValue, cancellationToken).ConfigureAwait(false);
        records.Reverse();
        var start = records.Count > 0 ? records[0].DecidedAt : progress.StageStartedAt;
        // The end is exclusive for telemetry: a second past now keeps the interval that started this second.
        var end = now.AddSeconds(1);

        var window = await new TelemetryWindowReader(dataSource).ReadAsync(rollout, start, end, cancellationToken).ConfigureAwait(false);
        var latencies = new List<LatencyDistribution>();
        foreach (var (metric, name) in LatencyMetrics)
        {
            var s = window.Arm(stable).Histogram(metric);
            var c = window.Arm(canary).Histogram(metric);
            if (s is { TotalCount: > 0 } || c is { TotalCount: > 0 })
            {
                latencies.Add(new LatencyDistribution(name, "ms", Cdf(s), Cdf(c)));
            }
        }

        // The preflight of the versions the rollout runs; with no table entry to name them, the rollout's newest record.
        var preflight = await PreflightStore.ReadStoredAsync(
            dataSource, rollout, definition is null ? null : (definition.StableSubset, definition.CanarySubset), cancellationToken).ConfigureAwait(false);
        var testers = TesterTraffic.FromWindow(window, definition?.CanarySubset ?? preflight?.CanarySubset ?? canary, start, end);
        var offComparison = OffComparisonTraffic.FromWindow(window, stable, canary);
        var rates = await ReadRatesAsync(dataSource, rollout, stable, canary, start, end, cancellationToken).ConfigureAwait(false);
        var quality = await QualityReportLoader.LoadAsync(dataSource, rollout, start, end, cancellationToken).ConfigureAwait(false);
        var decisions = new List<DecisionEntry>(records.Count);
        foreach (var record in records)
        {
            decisions.Add(new DecisionEntry(record.DecidedAt, record.DryRun ? record.Action + " (dry run)" : record.Action, record.FromWeight / 100.0, record.ToWeight / 100.0, record.Reason));
        }

        return new RolloutReport(
            rollout,
            definition?.StableModel ?? stable,
            definition?.CanaryModel ?? canary,
            RolloutStore.StatusName(progress.Status).Replace('_', ' '),
            now,
            latencies,
            rates,
            Stages(records),
            decisions,
            preflight,
            testers,
            offComparison,
            quality);
    }

    /// <summary>One span per weight the rollout served: a new span at every record that changed the weight.</summary>
    internal static List<StageSpan> Stages(IReadOnlyList<DecisionRecord> records)
    {
        var stages = new List<StageSpan>();
        int? weight = null;
        foreach (var record in records)
        {
            if (record.DryRun || (weight == record.ToWeight && record.Action != "rollback"))
            {
                continue;
            }

            if (stages.Count > 0)
            {
                stages[^1] = stages[^1] with { End = record.DecidedAt };
            }

            weight = record.ToWeight;
            var label = record.Action == "rollback" ? "rolled back" : $"{record.ToWeight / 100.0:0.##} %";
            stages.Add(new StageSpan(label, record.ToWeight / 100.0, record.DecidedAt, null));
        }

        return stages;
    }

    /// <summary>An empirical CDF from a merged histogram, in milliseconds, thinned to at most ~200 points.</summary>
    internal static List<CdfPoint> Cdf(MergedHistogram? histogram)
    {
        var points = new List<CdfPoint>();
        if (histogram is not { TotalCount: > 0 })
        {
            return points;
        }

        var counts = histogram.Counts;
        var nonEmpty = 0;
        foreach (var count in counts)
        {
            nonEmpty += count > 0 ? 1 : 0;
        }

        var stride = Math.Max(1, nonEmpty / 200);
        long cumulative = 0;
        var seen = 0;
        for (var i = 0; i < counts.Length; i++)
        {
            if (counts[i] == 0)
            {
                continue;
            }

            cumulative += counts[i];
            seen++;
            if (seen % stride == 0 || cumulative == histogram.TotalCount)
            {
                points.Add(new CdfPoint(histogram.Layout.HighestEquivalentValue(i) / 1000.0, cumulative / (double)histogram.TotalCount));
            }
        }

        return points;
    }

    private static async Task<List<RateSeries>> ReadRatesAsync(
        NpgsqlDataSource dataSource, string rollout, string stable, string canary, DateTimeOffset start, DateTimeOffset end, CancellationToken cancellationToken)
    {
        var bucket = TimeSpan.FromSeconds(Math.Max(10, Math.Ceiling((end - start).TotalSeconds / RateBuckets)));
        // Every counter in [start, end) once, at the finest grain still stored. Raw intervals stay after their hour is
        // compacted (until retention), so they are read wherever they exist: an hourly row would put a whole hour in one
        // bucket, and one that began before the rollout's start would be left out, the short stage with it. Hourly rows
        // are read for hours whose raw rows retention deleted (no raw row older than the compaction is left), and, with
        // buckets of an hour or more, for compacted hours wholly inside the window, which keeps a long report cheap. A
        // raw row written after its hour was compacted is in no hourly row and is always read raw. The interval that
        // straddles the start counts in the first bucket: in a short stage it is much of the canary's traffic.
        const string sql = """
            WITH ledger AS (
                SELECT l.hour_start, l.compacted_at,
                       NOT EXISTS (SELECT 1 FROM interval_counters i WHERE i.rollout = l.rollout AND i.interval_start >= l.hour_start
                                   AND i.interval_start < l.hour_start + interval '1 hour' AND i.written_at <= l.compacted_at) AS pruned
                FROM compacted_hours l
                WHERE l.rollout = $1 AND l.hour_start + interval '1 hour' > $2 AND l.hour_start < $3
            ),
            hourly AS (
                SELECT hour_start, compacted_at FROM ledger
                WHERE pruned OR ($8 AND hour_start >= $2 AND hour_start + interval '1 hour' <= $3)
            )
            SELECT c.subset, c.counter, date_bin($4, greatest(c.interval_start, $2), $2) AS bucket, sum(c.value)::bigint
            FROM interval_counters c
            WHERE c.rollout = $1 AND c.interval_start + c.interval_ms * interval '1 millisecond' > $2 AND c.interval_start < $3
              AND c.counter IN ($5, $6, $7)
              AND NOT EXISTS (SELECT 1 FROM hourly h WHERE c.interval_start >= h.hour_start
                              AND c.interval_start < h.hour_start + interval '1 hour' AND c.written_at <= h.compacted_at)
            GROUP BY 1, 2, 3
            UNION ALL
            SELECT hc.subset, hc.counter, date_bin($4, greatest(hc.hour_start, $2), $2), sum(hc.value)::bigint
            FROM hourly_counters hc JOIN hourly h ON h.hour_start = hc.hour_start
            WHERE hc.rollout = $1 AND hc.counter IN ($5, $6, $7)
            GROUP BY 1, 2, 3
            """;
        var names = new[]
        {
            TelemetryNames.Counter(TelemetryCounter.Requests),
            TelemetryNames.Counter(TelemetryCounter.Status5xx),
            TelemetryNames.Counter(TelemetryCounter.Refusals),
        };
        var sums = new Dictionary<(string Subset, DateTimeOffset Bucket), long[]>();
        await using (var command = dataSource.CreateCommand(sql))
        {
            command.AddText(rollout);
            command.AddTime(start);
            command.AddTime(end);
            command.Parameters.Add(new NpgsqlParameter { Value = bucket, NpgsqlDbType = NpgsqlDbType.Interval });
            foreach (var name in names)
            {
                // Three parameters, not an array: the slim (AOT) data source has no array support.
                command.AddText(name);
            }

            command.Parameters.Add(new NpgsqlParameter { Value = bucket >= TimeSpan.FromHours(1), NpgsqlDbType = NpgsqlDbType.Boolean });
            await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                var key = (reader.GetString(0), new DateTimeOffset(DateTime.SpecifyKind(reader.GetDateTime(2), DateTimeKind.Utc)));
                if (!sums.TryGetValue(key, out var values))
                {
                    values = new long[names.Length];
                    sums.Add(key, values);
                }

                values[Array.IndexOf(names, reader.GetString(1))] += reader.GetInt64(3);
            }
        }

        return
        [
            new RateSeries("error rate (5xx)", Series(sums, stable, 1, bucket), Series(sums, canary, 1, bucket)),
            new RateSeries("refusal rate", Series(sums, stable, 2, bucket), Series(sums, canary, 2, bucket)),
        ];
    }

    private static List<RatePoint> Series(Dictionary<(string Subset, DateTimeOffset Bucket), long[]> sums, string subset, int numerator, TimeSpan bucket)
    {
        var points = new List<RatePoint>();
        foreach (var ((s, time), values) in sums)
        {
            if (s == subset && values[0] > 0)
            {
                var (low, high) = Wilson(values[numerator], values[0]);
                // Plotted at the bucket's middle: the rate is an average over it.
                points.Add(new RatePoint(time + (bucket / 2), values[numerator] / (double)values[0], low, high));
            }
        }

        points.Sort(static (a, b) => a.Time.CompareTo(b.Time));
        return points;
    }

    /// <summary>Wilson score 95 % interval of a proportion: sensible at 0 events and small samples, unlike the Wald interval.</summary>
    internal static (double Low, double High) Wilson(long events, long trials)
    {
        const double z = 1.959963984540054;
        var n = (double)trials;
        var p = events / n;
        var denominator = 1 + (z * z / n);
        var centre = (p + (z * z / (2 * n))) / denominator;
        var half = z * Math.Sqrt((p * (1 - p) / n) + (z * z / (4 * n * n))) / denominator;
        return (Math.Max(0, centre - half), Math.Min(1, centre + half));
    }
}
