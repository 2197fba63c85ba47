using Canary.Contracts.Telemetry;
using Npgsql;
using NpgsqlTypes;

namespace Canary.IntegrationTests.Dashboards;

/// <summary>
/// Seeded interval telemetry as sidecars write it (two sidecars, both subsets, every counter and histogram the
/// dashboard reads, histograms encoded with the real codec), kept in memory so a test can work out what any panel
/// must show from the rows themselves.
/// </summary>
internal sealed class DashboardTelemetry
{
    public static readonly TelemetryCounter[] Counters =
        [TelemetryCounter.Requests, TelemetryCounter.Status5xx, TelemetryCounter.Status429, TelemetryCounter.Refusals, TelemetryCounter.CancelledByClient];

    public static readonly TelemetryMetric[] Metrics = [TelemetryMetric.DurationUs, TelemetryMetric.OutputTokens, TelemetryMetric.CostMicroUsd];

    public List<CounterRow> CounterRows { get; } = [];

    public List<HistogramRow> HistogramRows { get; } = [];

    /// <summary>One 10-second interval per sidecar and subset at <paramref name="start"/>, with counts drawn from <paramref name="seed"/>.</summary>
    public void AddInterval(string rollout, DateTimeOffset start, int seed)
    {
        var random = new Random(seed);
        for (var sidecar = 0; sidecar < 2; sidecar++)
        {
            foreach (var subset in new[] { "stable", "canary" })
            {
                var requests = 40 + random.Next(60);
                var failing = subset == "canary" ? 5 : 20;
                long[] counts = [requests, random.Next(requests / failing + 1), random.Next(4), random.Next(3), random.Next(5)];
                for (var i = 0; i < Counters.Length; i++)
                {
                    CounterRows.Add(new CounterRow($"sidecar-{sidecar}", rollout, subset, TelemetryNames.Counter(Counters[i]), start, counts[i]));
                }

                foreach (var metric in Metrics)
                {
                    var recorder = new IntervalRecorder(TelemetryLayouts.For(metric));
                    var (low, high, n) = metric switch
                    {
                        TelemetryMetric.DurationUs => (150_000, 900_000, requests),
                        TelemetryMetric.OutputTokens => (10, 600, requests - 3),
                        _ => (100, 9_000, requests / 2),
                    };
                    for (var r = 0; r < n; r++)
                    {
                        recorder.Record(random.Next(low, high) * (subset == "canary" ? 11 : 10) / 10);
                    }

                    var interval = recorder.TakeInterval();
                    var buffer = new byte[HistogramCodec.MaxEncodedLength(interval.Layout)];
                    var length = HistogramCodec.Encode(interval, buffer);
                    HistogramRows.Add(new HistogramRow($"sidecar-{sidecar}", rollout, subset, TelemetryNames.Metric(metric), start,
                        interval.TotalCount(), interval.Sum, interval.Min, interval.Max, buffer[..length]));
                }
            }
        }
    }

    /// <summary>Inserts the rows added since <paramref name="fromCounter"/> / <paramref name="fromHistogram"/>.</summary>
    public async Task InsertAsync(NpgsqlDataSource dataSource, int fromCounter = 0, int fromHistogram = 0)
    {
        await using var connection = await dataSource.OpenConnectionAsync();
        foreach (var row in CounterRows.Skip(fromCounter))
        {
            await using var command = new NpgsqlCommand(
                "INSERT INTO interval_counters (sidecar_id, rollout, subset, counter, interval_start, interval_ms, value) VALUES ($1, $2, $3, $4, $5, 10000, $6)", connection);
            command.Parameters.Add(Text(row.Sidecar));
            command.Parameters.Add(Text(row.Rollout));
            command.Parameters.Add(Text(row.Subset));
            command.Parameters.Add(Text(row.Name));
            command.Parameters.Add(new NpgsqlParameter { Value = row.Start.UtcDateTime, NpgsqlDbType = NpgsqlDbType.TimestampTz });
            command.Parameters.Add(new NpgsqlParameter { Value = row.Value, NpgsqlDbType = NpgsqlDbType.Bigint });
            await command.ExecuteNonQueryAsync();
        }

        foreach (var row in HistogramRows.Skip(fromHistogram))
        {
            await using var command = new NpgsqlCommand(
                "INSERT INTO interval_histograms (sidecar_id, rollout, subset, metric, interval_start, interval_ms, count, sum, min, max, encoded) " +
                "VALUES ($1, $2, $3, $4, $5, 10000, $6, $7, $8, $9, $10)", connection);
            command.Parameters.Add(Text(row.Sidecar));
            command.Parameters.Add(Text(row.Rollout));
            command.Parameters.Add(Text(row.Subset));
            command.Parameters.Add(Text(row.Name));
            command.Parameters.Add(new NpgsqlParameter { Value = row.Start.UtcDateTime, NpgsqlDbType = NpgsqlDbType.TimestampTz });
            command.Parameters.Add(new NpgsqlParameter { Value = row.Count, NpgsqlDbType = NpgsqlDbType.Bigint });
            command.Parameters.Add(new NpgsqlParameter { Value = row.Sum, NpgsqlDbType = NpgsqlDbType.Bigint });
            command.Parameters.Add(new NpgsqlParameter { Value = row.Min, NpgsqlDbType = NpgsqlDbType.Bigint });
            command.Parameters.Add(new NpgsqlParameter { Value = row.Max, NpgsqlDbType = NpgsqlDbType.Bigint });
            command.Parameters.Add(new NpgsqlParameter { Value = row.Encoded, NpgsqlDbType = NpgsqlDbType.Bytea });
            await command.ExecuteNonQueryAsync();
        }
    }

    private static NpgsqlParameter Text(string value) => new() { Value = value, NpgsqlDbType = NpgsqlDbType.Text };

    internal sealed record CounterRow(string Sidecar, string Rollout, string Subset, string Name, DateTimeOffset Start, long Value);

    internal sealed record HistogramRow(string Sidecar, string Rollout, string Subset, string Name, DateTimeOffset Start, long Count, long Sum, long Min, long Max, byte[] Encoded);
}
