using Canary.Contracts.Telemetry;
using Canary.Contracts.Telemetry.Storage;
using Canary.IntegrationTests.Postgres;

namespace Canary.IntegrationTests.Storage;

/// <summary>The shared row writer and window reader against PostgreSQL: what one writes, the other reads back exactly.</summary>
[Collection(PostgresCollection.Name)]
public class TelemetryRowRoundTripTests
{
    private static readonly DateTime Start = new(2026, 3, 1, 12, 0, 0, DateTimeKind.Utc);
    private readonly PostgresServerFixture _postgres;

    public TelemetryRowRoundTripTests(PostgresServerFixture postgres) => _postgres = postgres;

    [PostgresFact]
    public async Task WriteAsync_RowsOfTwoSidecarsWrittenTwice_WindowReadsEachOnceMerged()
    {
        await using var dataSource = await _postgres.CreateDatabaseAsync();
        await SchemaMigrator.MigrateAsync(dataSource);
        var expected = new MergedHistogram(TelemetryLayouts.For(TelemetryMetric.DurationUs));
        var histograms = new List<HistogramRow>();
        var counters = new List<CounterRow>();
        foreach (var sidecar in new[] { "sidecar-a", "sidecar-b" })
        {
            var histogram = new MergedHistogram(TelemetryLayouts.For(TelemetryMetric.DurationUs));
            for (var i = 1; i <= 100; i++)
            {
                histogram.Record(i * (sidecar == "sidecar-a" ? 1000 : 3000));
            }

            var encoded = histogram.Encode();
            expected.Add(encoded);
            histograms.Add(HistogramRow.FromEncoding(sidecar, "model-a", "canary", TelemetryNames.Metric(TelemetryMetric.DurationUs), Start, 10_000, encoded));
            counters.Add(new CounterRow(sidecar, "model-a", "canary", TelemetryNames.Counter(TelemetryCounter.Requests), Start, 10_000, 100));
        }

        // A metric and a counter this build does not know (a newer sidecar's) are stored and skipped by the reader.
        histograms.Add(HistogramRow.FromEncoding("sidecar-a", "model-a", "canary", "future_metric", Start, 10_000, expected.Encode()));
        counters.Add(new CounterRow("sidecar-a", "model-a", "canary", "future_counter", Start, 10_000, 5));
        var writer = new TelemetryRowWriter(dataSource);

        Assert.Equal(6, await writer.WriteAsync(histograms, counters, CancellationToken.None));
        Assert.Equal(0, await writer.WriteAsync(histograms, counters, CancellationToken.None));
        var window = await new TelemetryWindowReader(dataSource).ReadAsync("model-a", Start, Start.AddMinutes(1), CancellationToken.None);

        var arm = window.Arm("canary");
        Assert.Equal(200, arm.Counter(TelemetryCounter.Requests));
        var duration = arm.Histogram(TelemetryMetric.DurationUs)!;
        Assert.Equal(expected.Counts.ToArray(), duration.Counts.ToArray());
        Assert.Equal((expected.TotalCount, expected.Sum, expected.Min, expected.Max), (duration.TotalCount, duration.Sum, duration.Min, duration.Max));
        Assert.Single(window.Arms);
    }

    [PostgresFact]
    public async Task CopyAsync_RollupRowsInTheLedger_WindowReadsThemInsteadOfRaw()
    {
        await using var dataSource = await _postgres.CreateDatabaseAsync();
        await SchemaMigrator.MigrateAsync(dataSource);
        var histogram = new MergedHistogram(TelemetryLayouts.For(TelemetryMetric.OutputTokens));
        histogram.Record(42);
        histogram.Record(58);
        await using (var connection = await dataSource.OpenConnectionAsync())
        await using (var transaction = await connection.BeginTransactionAsync())
        {
            await using (var ledger = new Npgsql.NpgsqlCommand($"INSERT INTO {TelemetryTier.Hourly.LedgerTable} (rollout, {TelemetryTier.Hourly.StartColumn}) VALUES ('model-b', $1)", connection, transaction))
            {
                ledger.AddTime(new DateTimeOffset(Start));
                await ledger.ExecuteNonQueryAsync();
            }

            Assert.Equal(1, await TelemetryRowWriter.CopyHistogramsAsync(connection, TelemetryTier.Hourly,
                [HistogramRow.FromEncoding("", "model-b", "stable", TelemetryNames.Metric(TelemetryMetric.OutputTokens), Start, 0, histogram.Encode())],
                CancellationToken.None));
            Assert.Equal(1, await TelemetryRowWriter.CopyCountersAsync(connection, TelemetryTier.Hourly,
                [new CounterRow("", "model-b", "stable", TelemetryNames.Counter(TelemetryCounter.Requests), Start, 0, 2)], CancellationToken.None));
            await transaction.CommitAsync();
        }

        var window = await new TelemetryWindowReader(dataSource).ReadAsync("model-b", Start, Start.AddHours(1), CancellationToken.None);

        var arm = window.Arm("stable");
        Assert.Equal(2, arm.Counter(TelemetryCounter.Requests));
        Assert.Equal(100, arm.Histogram(TelemetryMetric.OutputTokens)!.Sum);
    }
}
