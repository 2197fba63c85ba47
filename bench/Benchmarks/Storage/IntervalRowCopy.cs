using Canary.Contracts.Telemetry;
using Npgsql;
using NpgsqlTypes;

namespace Canary.Benchmarks.Storage;

/// <summary>
/// Writes interval rows the way the sidecar's flusher does (binary COPY into interval_histograms and
/// interval_counters, 10-second intervals), for the benchmarks that fill a database with a load of telemetry.
/// </summary>
internal static class IntervalRowCopy
{
    public const string HistogramsCopy =
        "COPY interval_histograms (sidecar_id, rollout, subset, metric, interval_start, interval_ms, count, sum, min, max, encoded) FROM STDIN (FORMAT BINARY)";

    public const string CountersCopy =
        "COPY interval_counters (sidecar_id, rollout, subset, counter, interval_start, interval_ms, value) FROM STDIN (FORMAT BINARY)";

    public const int IntervalMilliseconds = 10_000;

    public static async Task WriteHistogramAsync(NpgsqlBinaryImporter import, string sidecar, string rollout, string subset, int metric, DateTime start, byte[] encoded)
    {
        var header = HistogramCodec.ReadHeader(encoded);
        await import.StartRowAsync();
        await import.WriteAsync(sidecar, NpgsqlDbType.Text);
        await import.WriteAsync(rollout, NpgsqlDbType.Text);
        await import.WriteAsync(subset, NpgsqlDbType.Text);
        await import.WriteAsync(TelemetryNames.Metrics[metric], NpgsqlDbType.Text);
        await import.WriteAsync(start, NpgsqlDbType.TimestampTz);
        await import.WriteAsync(IntervalMilliseconds, NpgsqlDbType.Integer);
        await import.WriteAsync(header.TotalCount, NpgsqlDbType.Bigint);
        await import.WriteAsync(header.Sum, NpgsqlDbType.Bigint);
        await import.WriteAsync(header.Min, NpgsqlDbType.Bigint);
        await import.WriteAsync(header.Max, NpgsqlDbType.Bigint);
        await import.WriteAsync(encoded, NpgsqlDbType.Bytea);
    }

    public static async Task WriteCounterAsync(NpgsqlBinaryImporter import, string sidecar, string rollout, string subset, TelemetryCounter counter, DateTime start, long value)
    {
        await import.StartRowAsync();
        await import.WriteAsync(sidecar, NpgsqlDbType.Text);
        await import.WriteAsync(rollout, NpgsqlDbType.Text);
        await import.WriteAsync(subset, NpgsqlDbType.Text);
        await import.WriteAsync(TelemetryNames.Counter(counter), NpgsqlDbType.Text);
        await import.WriteAsync(start, NpgsqlDbType.TimestampTz);
        await import.WriteAsync(IntervalMilliseconds, NpgsqlDbType.Integer);
        await import.WriteAsync(value, NpgsqlDbType.Bigint);
    }
}
