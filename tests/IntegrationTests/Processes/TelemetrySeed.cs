using Canary.Contracts.Telemetry;
using Canary.Contracts.Telemetry.Storage;
using Npgsql;

namespace Canary.IntegrationTests.Processes;

/// <summary>Writes one arm's interval counters and duration histogram, as a sidecar's flush would.</summary>
internal static class TelemetrySeed
{
    public static async Task WriteAsync(NpgsqlDataSource dataSource, string rollout, string subset, long requests, long errors, DateTime at, long refusals = 0, int latencyShiftUs = 0)
    {
        var counters = new[]
        {
            (TelemetryCounter.Requests, requests), (TelemetryCounter.Status5xx, errors), (TelemetryCounter.Status2xx, requests - errors),
            (TelemetryCounter.Refusals, refusals),
        }.Select(c => new CounterRow("seed", rollout, subset, TelemetryNames.Counter(c.Item1), at, 10_000, c.Item2)).ToArray();

        var histograms = new List<HistogramRow>();
        foreach (var metric in new[] { TelemetryMetric.DurationUs, TelemetryMetric.TimeToFirstTokenUs })
        {
            var histogram = new MergedHistogram(TelemetryLayouts.For(metric));
            var random = new Random(subset.Length + (int)metric);
            var scale = metric == TelemetryMetric.DurationUs ? 1 : 4;
            for (var i = 0; i < requests; i++)
            {
                histogram.Record((200_000 + latencyShiftUs + random.Next(300_000)) / scale);
            }

            histograms.Add(HistogramRow.FromEncoding("seed", rollout, subset, TelemetryNames.Metric(metric), at, 10_000, histogram.Encode()));
        }

        await new TelemetryRowWriter(dataSource).WriteAsync(histograms, counters, CancellationToken.None);
    }
}
