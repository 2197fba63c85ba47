using Canary.Contracts.Telemetry;
using Npgsql;
using NpgsqlTypes;

namespace Canary.IntegrationTests.Storage;

/// <summary>
/// Seeded raw interval rows as sidecars write them (several sidecars, both subsets, a few metrics and counters), loaded
/// with COPY, and the exact expected merge of any window computed from the same encodings in memory.
/// </summary>
internal sealed class RawTelemetry
{
    public static readonly string[] Subsets = ["stable", "canary"];
    public static readonly TelemetryMetric[] Metrics = [TelemetryMetric.DurationUs, TelemetryMetric.OutputTokens];
    public static readonly TelemetryCounter[] Counters = [TelemetryCounter.Requests, TelemetryCounter.Status5xx];

    private readonly List<Row> _rows = [];

    public RawTelemetry(string rollout) => Rollout = rollout;

    public string Rollout { get; }

    public int RowCount => _rows.Count;

    /// <summary>Adds intervals of <paramref name="intervalLength"/> from <paramref name="start"/> to <paramref name="end"/>.</summary>
    public void AddIntervals(DateTimeOffset start, DateTimeOffset end, TimeSpan intervalLength, int sidecars, int seed, string sidecarPrefix = "sidecar-")
    {
        var random = new Random(seed);
        var buffer = new byte[HistogramCodec.MaxEncodedLength(TelemetryLayouts.For(TelemetryMetric.DurationUs))];
        for (var t = start; t < end; t += intervalLength)
        {
            for (var s = 0; s < sidecars; s++)
            {
                foreach (var subset in Subsets)
                {
                    var requests = 20 + random.Next(60);
                    foreach (var metric in Metrics)
                    {
                        var recorder = new IntervalRecorder(TelemetryLayouts.For(metric));
                        var scale = subset == "canary" ? 1.3 : 1.0;
                        for (var r = 0; r < requests; r++)
                        {
                            recorder.Record((long)(scale * Math.Exp(4 + (random.NextDouble() * 8))));
                        }

                        var histogram = recorder.TakeInterval();
                        var length = HistogramCodec.Encode(histogram, buffer);
                        _rows.Add(new Row($"{sidecarPrefix}{s}", subset, TelemetryNames.Metric(metric), t, (int)intervalLength.TotalMilliseconds,
                            histogram.TotalCount(), histogram.Sum, histogram.Min, histogram.Max, buffer[..length]));
                    }

                    _rows.Add(new Row($"{sidecarPrefix}{s}", subset, TelemetryNames.Counter(TelemetryCounter.Requests), t,
                        (int)intervalLength.TotalMilliseconds, requests, 0, 0, 0, null));
                    _rows.Add(new Row($"{sidecarPrefix}{s}", subset, TelemetryNames.Counter(TelemetryCounter.Status5xx), t,
                        (int)intervalLength.TotalMilliseconds, random.Next(3), 0, 0, 0, null));
                }
            }
        }
    }

    /// <summary>Copies the rows added since the last load into the raw tables.</summary>
    public async Task LoadAsync(NpgsqlDataSource dataSource, int fromRow = 0)
    {
        await using var connection = await dataSource.OpenConnectionAsync();
        await using (var histograms = await connection.BeginBinaryImportAsync(
            "COPY interval_histograms (sidecar_id, rollout, subset, metric, interval_start, interval_ms, count, sum, min, max, encoded) FROM STDIN (FORMAT BINARY)"))
        {
            for (var i = fromRow; i < _rows.Count; i++)
            {
                var row = _rows[i];
                if (row.Encoded is null)
                {
                    continue;
                }

                await histograms.StartRowAsync();
                await histograms.WriteAsync(row.Sidecar, NpgsqlDbType.Text);
                await histograms.WriteAsync(Rollout, NpgsqlDbType.Text);
                await histograms.WriteAsync(row.Subset, NpgsqlDbType.Text);
                await histograms.WriteAsync(row.Name, NpgsqlDbType.Text);
                await histograms.WriteAsync(row.Start.UtcDateTime, NpgsqlDbType.TimestampTz);
                await histograms.WriteAsync(row.IntervalMs, NpgsqlDbType.Integer);
                await histograms.WriteAsync(row.Count, NpgsqlDbType.Bigint);
                await histograms.WriteAsync(row.Sum, NpgsqlDbType.Bigint);
                await histograms.WriteAsync(row.Min, NpgsqlDbType.Bigint);
                await histograms.WriteAsync(row.Max, NpgsqlDbType.Bigint);
                await histograms.WriteAsync(row.Encoded, NpgsqlDbType.Bytea);
            }

            await histograms.CompleteAsync();
        }

        await using var counters = await connection.BeginBinaryImportAsync(
            "COPY interval_counters (sidecar_id, rollout, subset, counter, interval_start, interval_ms, value) FROM STDIN (FORMAT BINARY)");
        for (var i = fromRow; i < _rows.Count; i++)
        {
            var row = _rows[i];
            if (row.Encoded is not null)
            {
                continue;
            }

            await counters.StartRowAsync();
            await counters.WriteAsync(row.Sidecar, NpgsqlDbType.Text);
            await counters.WriteAsync(Rollout, NpgsqlDbType.Text);
            await counters.WriteAsync(row.Subset, NpgsqlDbType.Text);
            await counters.WriteAsync(row.Name, NpgsqlDbType.Text);
            await counters.WriteAsync(row.Start.UtcDateTime, NpgsqlDbType.TimestampTz);
            await counters.WriteAsync(row.IntervalMs, NpgsqlDbType.Integer);
            await counters.WriteAsync(row.Count, NpgsqlDbType.Bigint);
        }

        await counters.CompleteAsync();
    }

    /// <summary>The exact merge of every raw row with a start in [from, to).</summary>
    public Dictionary<(string Subset, TelemetryMetric Metric), MergedHistogram> ExpectedHistograms(DateTimeOffset from, DateTimeOffset to)
    {
        var expected = new Dictionary<(string, TelemetryMetric), MergedHistogram>();
        foreach (var row in _rows)
        {
            if (row.Encoded is null || row.Start < from || row.Start >= to || !TelemetryNames.TryParseMetric(row.Name, out var metric))
            {
                continue;
            }

            if (!expected.TryGetValue((row.Subset, metric), out var histogram))
            {
                expected[(row.Subset, metric)] = histogram = new MergedHistogram(TelemetryLayouts.For(metric));
            }

            histogram.Add(row.Encoded);
        }

        return expected;
    }

    public long ExpectedCounter(string subset, TelemetryCounter counter, DateTimeOffset from, DateTimeOffset to)
    {
        var name = TelemetryNames.Counter(counter);
        long sum = 0;
        foreach (var row in _rows)
        {
            if (row.Encoded is null && row.Subset == subset && row.Name == name && row.Start >= from && row.Start < to)
            {
                sum += row.Count;
            }
        }

        return sum;
    }

    private sealed record Row(
        string Sidecar, string Subset, string Name, DateTimeOffset Start, int IntervalMs, long Count, long Sum, long Min, long Max, byte[]? Encoded);
}
