using Canary.Contracts.Telemetry;
using Canary.Contracts.Telemetry.Storage;
using Canary.IntegrationTests.Postgres;
using Canary.Sidecar.Persistence;
using Canary.Sidecar.Telemetry.Recording;
using Npgsql;

namespace Canary.IntegrationTests.Persistence;

[Collection(PostgresCollection.Name)]
public class TelemetryWriterTests
{
    private static readonly DateTime Start = new(2026, 3, 1, 12, 0, 0, DateTimeKind.Utc);
    private static readonly TelemetryMetric[] Metrics = [TelemetryMetric.DurationUs, TelemetryMetric.OutputTokens, TelemetryMetric.CostMicroUsd];
    private static readonly string[] Subsets = ["stable", "canary"];
    private readonly PostgresServerFixture _postgres;

    public TelemetryWriterTests(PostgresServerFixture postgres) => _postgres = postgres;

    [PostgresFact]
    public async Task WriteAsync_TwoSidecarsSeveralIntervals_MergedValuesComeBackExactly()
    {
        await using var dataSource = await _postgres.CreateDatabaseAsync();
        await SchemaMigrator.MigrateAsync(dataSource);
        var expected = new Dictionary<(string Subset, TelemetryMetric Metric), Expected>();
        var expectedCounters = new Dictionary<(string Subset, string Counter), long>();
        var random = new Random(2026);
        string[] sidecars = ["sidecar-a", "sidecar-b"];
        var registries = sidecars.Select(_ => new TelemetryRegistry()).ToArray();
        var collectors = registries.Select((r, i) => new TelemetryCollector(r, sidecars[i])).ToArray();
        var writer = new TelemetryRowWriter(dataSource);

        for (var interval = 0; interval < 3; interval++)
        {
            for (var s = 0; s < sidecars.Length; s++)
            {
                foreach (var subset in Subsets)
                {
                    var arm = registries[s].EnsureArm("model-a", subset);
                    var requests = 200 + random.Next(300);
                    for (var r = 0; r < requests; r++)
                    {
                        arm.CountRequest();
                        var status = random.Next(10) == 0 ? 503 : 200;
                        arm.CountStatus(status);
                        AddCounter(expectedCounters, subset, "requests");
                        AddCounter(expectedCounters, subset, status == 200 ? "status_2xx" : "status_5xx");
                        foreach (var metric in Metrics)
                        {
                            var layout = TelemetryLayouts.For(metric);
                            var value = (long)Math.Pow(layout.HighestTrackableValue / 10, random.NextDouble());
                            arm.Record(metric, value);
                            if (!expected.TryGetValue((subset, metric), out var e))
                            {
                                expected[(subset, metric)] = e = new Expected(layout);
                            }

                            e.Add(value);
                        }
                    }
                }

                var batch = collectors[s].Collect(Start.AddSeconds(10 * interval), 10_000);
                var inserted = await writer.WriteAsync(batch.Histograms, batch.Counters, CancellationToken.None);
                Assert.Equal(batch.RowCount, inserted);
                batch.Release();
            }
        }

        var merged = new Dictionary<(string, TelemetryMetric), MergedHistogram>();
        var rows = 0;
        await using (var read = dataSource.CreateCommand("SELECT subset, metric, count, sum, min, max, encoded, interval_ms FROM interval_histograms WHERE rollout = 'model-a'"))
        await using (var reader = await read.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                rows++;
                Assert.True(TelemetryNames.TryParseMetric(reader.GetString(1), out var metric));
                var key = (reader.GetString(0), metric);
                if (!merged.TryGetValue(key, out var histogram))
                {
                    merged[key] = histogram = new MergedHistogram(TelemetryLayouts.For(metric));
                }

                var encoded = reader.GetFieldValue<byte[]>(6);
                var header = HistogramCodec.ReadHeader(encoded);
                Assert.Equal((header.TotalCount, header.Sum, header.Min, header.Max), (reader.GetInt64(2), reader.GetInt64(3), reader.GetInt64(4), reader.GetInt64(5)));
                Assert.Equal(10_000, reader.GetInt32(7));
                histogram.Add(encoded);
            }
        }

        Assert.Equal(sidecars.Length * 3 * Subsets.Length * Metrics.Length, rows);
        foreach (var ((subset, metric), e) in expected)
        {
            var histogram = merged[(subset, metric)];
            Assert.Equal(e.Counts, histogram.Counts.ToArray());
            Assert.Equal(e.Count, histogram.TotalCount);
            Assert.Equal(e.Sum, histogram.Sum);
            Assert.Equal(e.Min, histogram.Min);
            Assert.Equal(e.Max, histogram.Max);
        }

        var counters = new Dictionary<(string, string), long>();
        await using (var read = dataSource.CreateCommand("SELECT subset, counter, sum(value)::bigint FROM interval_counters WHERE rollout = 'model-a' GROUP BY 1, 2"))
        await using (var reader = await read.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                counters[(reader.GetString(0), reader.GetString(1))] = reader.GetInt64(2);
            }
        }

        Assert.Equal(expectedCounters.OrderBy(p => p.Key).ToArray(), counters.OrderBy(p => p.Key).ToArray());

        await using var starts = dataSource.CreateCommand("SELECT count(DISTINCT interval_start), min(interval_start) FROM interval_histograms");
        await using var startsReader = await starts.ExecuteReaderAsync();
        Assert.True(await startsReader.ReadAsync());
        Assert.Equal(3, startsReader.GetInt64(0));
        Assert.Equal(Start, startsReader.GetFieldValue<DateTime>(1));
    }

    [PostgresFact]
    public async Task WriteAsync_SameBatchTwice_StoredOnce()
    {
        await using var dataSource = await _postgres.CreateDatabaseAsync();
        await SchemaMigrator.MigrateAsync(dataSource);
        var registry = new TelemetryRegistry();
        var arm = registry.EnsureArm("model-a", "canary");
        for (var i = 1; i <= 100; i++)
        {
            arm.CountRequest();
            arm.RecordDuration(i * 1000);
        }

        var batch = new TelemetryCollector(registry, "sidecar-a").Collect(Start, 10_000);
        var writer = new TelemetryRowWriter(dataSource);

        var first = await writer.WriteAsync(batch.Histograms, batch.Counters, CancellationToken.None);
        var second = await writer.WriteAsync(batch.Histograms, batch.Counters, CancellationToken.None);
        batch.Release();

        Assert.Equal(2, first);
        Assert.Equal(0, second);
        Assert.Equal(100L, await ScalarAsync(dataSource, "SELECT sum(count)::bigint FROM interval_histograms"));
        Assert.Equal(100L, await ScalarAsync(dataSource, "SELECT sum(value)::bigint FROM interval_counters WHERE counter = 'requests'"));
        Assert.Equal(2L, await ScalarAsync(dataSource, "SELECT (SELECT count(*) FROM interval_histograms) + (SELECT count(*) FROM interval_counters)"));
    }

    [PostgresFact]
    public async Task WriteAsync_WithoutSchema_FailsAndLeavesNothing()
    {
        await using var dataSource = await _postgres.CreateDatabaseAsync();
        var registry = new TelemetryRegistry();
        registry.EnsureArm("model-a", "canary").RecordDuration(5);
        var batch = new TelemetryCollector(registry, "sidecar-a").Collect(Start, 10_000);

        await Assert.ThrowsAsync<PostgresException>(() => new TelemetryRowWriter(dataSource).WriteAsync(batch.Histograms, batch.Counters, CancellationToken.None));
        batch.Release();
    }

    private static void AddCounter(Dictionary<(string, string), long> counters, string subset, string name) =>
        counters[(subset, name)] = counters.GetValueOrDefault((subset, name)) + 1;

    private static async Task<long> ScalarAsync(NpgsqlDataSource dataSource, string sql)
    {
        await using var command = dataSource.CreateCommand(sql);
        return (long)(await command.ExecuteScalarAsync())!;
    }

    private sealed class Expected(HistogramLayout layout)
    {
        public long[] Counts { get; } = new long[layout.CountsLength];

        public long Count { get; private set; }

        public long Sum { get; private set; }

        public long Min { get; private set; } = long.MaxValue;

        public long Max { get; private set; }

        public void Add(long value)
        {
            Counts[layout.IndexOf(value)]++;
            Count++;
            Sum += value;
            Min = Math.Min(Min, value);
            Max = Math.Max(Max, value);
        }
    }
}
