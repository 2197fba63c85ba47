using Canary.Contracts.Telemetry;
using Npgsql;
using NpgsqlTypes;

namespace Canary.IntegrationTests.Processes;

/// <summary>Writes one arm's interval counters and duration histogram, as a sidecar's flush would.</summary>
internal static class TelemetrySeed
{
    public static async Task WriteAsync(NpgsqlDataSource dataSource, string rollout, string subset, long requests, long errors, DateTime at, long refusals = 0, int latencyShiftUs = 0)
    {
        await using var connection = await dataSource.OpenConnectionAsync();
        foreach (var (counter, value) in new[]
        {
            (TelemetryCounter.Requests, requests), (TelemetryCounter.Status5xx, errors), (TelemetryCounter.Status2xx, requests - errors),
            (TelemetryCounter.Refusals, refusals),
        })
        {
            await using var command = new NpgsqlCommand(
                "INSERT INTO interval_counters (sidecar_id, rollout, subset, counter, interval_start, interval_ms, value) VALUES ('seed', $1, $2, $3, $4, 10000, $5)", connection);
            command.Parameters.Add(new NpgsqlParameter { Value = rollout, NpgsqlDbType = NpgsqlDbType.Text });
            command.Parameters.Add(new NpgsqlParameter { Value = subset, NpgsqlDbType = NpgsqlDbType.Text });
            command.Parameters.Add(new NpgsqlParameter { Value = TelemetryNames.Counter(counter), NpgsqlDbType = NpgsqlDbType.Text });
            command.Parameters.Add(new NpgsqlParameter { Value = at, NpgsqlDbType = NpgsqlDbType.TimestampTz });
            command.Parameters.Add(new NpgsqlParameter { Value = value, NpgsqlDbType = NpgsqlDbType.Bigint });
            await command.ExecuteNonQueryAsync();
        }

        foreach (var metric in new[] { TelemetryMetric.DurationUs, TelemetryMetric.TimeToFirstTokenUs })
        {
            var recorder = new IntervalRecorder(TelemetryLayouts.For(metric));
            var random = new Random(subset.Length + (int)metric);
            var scale = metric == TelemetryMetric.DurationUs ? 1 : 4;
            for (var i = 0; i < requests; i++)
            {
                recorder.Record((200_000 + latencyShiftUs + random.Next(300_000)) / scale);
            }

            var interval = recorder.TakeInterval();
            var buffer = new byte[HistogramCodec.MaxEncodedLength(interval.Layout)];
            var length = HistogramCodec.Encode(interval, buffer);
            await using var histogram = new NpgsqlCommand(
                "INSERT INTO interval_histograms (sidecar_id, rollout, subset, metric, interval_start, interval_ms, count, sum, min, max, encoded) " +
                "VALUES ('seed', $1, $2, $3, $4, 10000, $5, $6, $7, $8, $9)", connection);
            histogram.Parameters.Add(new NpgsqlParameter { Value = rollout, NpgsqlDbType = NpgsqlDbType.Text });
            histogram.Parameters.Add(new NpgsqlParameter { Value = subset, NpgsqlDbType = NpgsqlDbType.Text });
            histogram.Parameters.Add(new NpgsqlParameter { Value = TelemetryNames.Metric(metric), NpgsqlDbType = NpgsqlDbType.Text });
            histogram.Parameters.Add(new NpgsqlParameter { Value = at, NpgsqlDbType = NpgsqlDbType.TimestampTz });
            histogram.Parameters.Add(new NpgsqlParameter { Value = interval.TotalCount(), NpgsqlDbType = NpgsqlDbType.Bigint });
            histogram.Parameters.Add(new NpgsqlParameter { Value = interval.Sum, NpgsqlDbType = NpgsqlDbType.Bigint });
            histogram.Parameters.Add(new NpgsqlParameter { Value = interval.Min, NpgsqlDbType = NpgsqlDbType.Bigint });
            histogram.Parameters.Add(new NpgsqlParameter { Value = interval.Max, NpgsqlDbType = NpgsqlDbType.Bigint });
            histogram.Parameters.Add(new NpgsqlParameter { Value = buffer[..length], NpgsqlDbType = NpgsqlDbType.Bytea });
            await histogram.ExecuteNonQueryAsync();
        }
    }
}
