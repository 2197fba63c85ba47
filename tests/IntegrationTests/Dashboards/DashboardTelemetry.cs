using Canary.Contracts.Telemetry;
using Canary.Contracts.Telemetry.Storage;
using Npgsql;

namespace Canary.IntegrationTests.Dashboards;

/// <summary>
/// Seeded interval telemetry as sidecars write it (two sidecars, both subsets, every counter and histogram the
/// dashboard reads, histograms encoded with the real codec), kept in memory so a test can work out what any panel
/// must show from the rows themselves, and written with the shared row writer.
/// </summary>
internal sealed class DashboardTelemetry
{
    private const int IntervalMilliseconds = 10_000;

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
                    var histogram = new MergedHistogram(TelemetryLayouts.For(metric));
                    var (low, high, n) = metric switch
                    {
                        TelemetryMetric.DurationUs => (150_000, 900_000, requests),
                        TelemetryMetric.OutputTokens => (10, 600, requests - 3),
                        _ => (100, 9_000, requests / 2),
                    };
                    for (var r = 0; r < n; r++)
                    {
                        histogram.Record(random.Next(low, high) * (subset == "canary" ? 11 : 10) / 10);
                    }

                    HistogramRows.Add(new HistogramRow($"sidecar-{sidecar}", rollout, subset, TelemetryNames.Metric(metric), start,
                        histogram.TotalCount, histogram.Sum, histogram.Min, histogram.Max, histogram.Encode()));
                }
            }
        }
    }

    /// <summary>Writes the rows added since <paramref name="fromCounter"/> / <paramref name="fromHistogram"/>.</summary>
    public async Task InsertAsync(NpgsqlDataSource dataSource, int fromCounter = 0, int fromHistogram = 0)
    {
        var counters = CounterRows.Skip(fromCounter)
            .Select(r => new Contracts.Telemetry.Storage.CounterRow(r.Sidecar, r.Rollout, r.Subset, r.Name, r.Start.UtcDateTime, IntervalMilliseconds, r.Value))
            .ToList();
        var histograms = HistogramRows.Skip(fromHistogram)
            .Select(r => Contracts.Telemetry.Storage.HistogramRow.FromEncoding(r.Sidecar, r.Rollout, r.Subset, r.Name, r.Start.UtcDateTime, IntervalMilliseconds, r.Encoded))
            .ToList();
        await new TelemetryRowWriter(dataSource).WriteAsync(histograms, counters, CancellationToken.None);
    }

    internal sealed record CounterRow(string Sidecar, string Rollout, string Subset, string Name, DateTimeOffset Start, long Value);

    internal sealed record HistogramRow(string Sidecar, string Rollout, string Subset, string Name, DateTimeOffset Start, long Count, long Sum, long Min, long Max, byte[] Encoded);
}
