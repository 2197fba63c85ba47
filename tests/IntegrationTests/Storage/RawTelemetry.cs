using Canary.Contracts.Telemetry;
using Canary.Contracts.Telemetry.Storage;
using Npgsql;

namespace Canary.IntegrationTests.Storage;

/// <summary>
/// Seeded raw interval rows as sidecars write them (several sidecars, both subsets, a few metrics and counters), loaded
/// with the shared row writer's COPY, and the exact expected merge of any window computed from the same encodings in memory.
/// </summary>
internal sealed class RawTelemetry
{
    public static readonly string[] Subsets = ["stable", "canary"];
    public static readonly TelemetryMetric[] Metrics = [TelemetryMetric.DurationUs, TelemetryMetric.OutputTokens];
    public static readonly TelemetryCounter[] Counters = [TelemetryCounter.Requests, TelemetryCounter.Status5xx];

    private readonly List<HistogramRow> _histograms = [];
    private readonly List<CounterRow> _counters = [];

    public RawTelemetry(string rollout) => Rollout = rollout;

    public string Rollout { get; }

    public int RowCount => _histograms.Count + _counters.Count;

    /// <summary>Adds intervals of <paramref name="intervalLength"/> from <paramref name="start"/> to <paramref name="end"/>.</summary>
    public void AddIntervals(DateTimeOffset start, DateTimeOffset end, TimeSpan intervalLength, int sidecars, int seed, string sidecarPrefix = "sidecar-")
    {
        var random = new Random(seed);
        var intervalMs = (int)intervalLength.TotalMilliseconds;
        for (var t = start; t < end; t += intervalLength)
        {
            for (var s = 0; s < sidecars; s++)
            {
                foreach (var subset in Subsets)
                {
                    var requests = 20 + random.Next(60);
                    foreach (var metric in Metrics)
                    {
                        var histogram = new MergedHistogram(TelemetryLayouts.For(metric));
                        var scale = subset == "canary" ? 1.3 : 1.0;
                        for (var r = 0; r < requests; r++)
                        {
                            histogram.Record((long)(scale * Math.Exp(4 + (random.NextDouble() * 8))));
                        }

                        _histograms.Add(HistogramRow.FromEncoding($"{sidecarPrefix}{s}", Rollout, subset, TelemetryNames.Metric(metric), t.UtcDateTime,
                            intervalMs, histogram.Encode()));
                    }

                    _counters.Add(new CounterRow($"{sidecarPrefix}{s}", Rollout, subset, TelemetryNames.Counter(TelemetryCounter.Requests), t.UtcDateTime,
                        intervalMs, requests));
                    _counters.Add(new CounterRow($"{sidecarPrefix}{s}", Rollout, subset, TelemetryNames.Counter(TelemetryCounter.Status5xx), t.UtcDateTime,
                        intervalMs, random.Next(3)));
                }
            }
        }
    }

    /// <summary>Copies the rows into the raw tables.</summary>
    public async Task LoadAsync(NpgsqlDataSource dataSource)
    {
        await using var connection = await dataSource.OpenConnectionAsync();
        await TelemetryRowWriter.CopyHistogramsAsync(connection, TelemetryTier.Raw, _histograms, CancellationToken.None);
        await TelemetryRowWriter.CopyCountersAsync(connection, TelemetryTier.Raw, _counters, CancellationToken.None);
    }

    /// <summary>The exact merge of every raw row with a start in [from, to).</summary>
    public Dictionary<(string Subset, TelemetryMetric Metric), MergedHistogram> ExpectedHistograms(DateTimeOffset from, DateTimeOffset to)
    {
        var expected = new Dictionary<(string, TelemetryMetric), MergedHistogram>();
        foreach (var row in _histograms)
        {
            if (row.StartUtc < from.UtcDateTime || row.StartUtc >= to.UtcDateTime || !TelemetryNames.TryParseMetric(row.Metric, out var metric))
            {
                continue;
            }

            if (!expected.TryGetValue((row.Subset, metric), out var histogram))
            {
                expected[(row.Subset, metric)] = histogram = new MergedHistogram(TelemetryLayouts.For(metric));
            }

            histogram.Add(row.Encoded.Span);
        }

        return expected;
    }

    public long ExpectedCounter(string subset, TelemetryCounter counter, DateTimeOffset from, DateTimeOffset to)
    {
        var name = TelemetryNames.Counter(counter);
        long sum = 0;
        foreach (var row in _counters)
        {
            if (row.Subset == subset && row.Counter == name && row.StartUtc >= from.UtcDateTime && row.StartUtc < to.UtcDateTime)
            {
                sum += row.Value;
            }
        }

        return sum;
    }
}
