using Canary.Contracts.Telemetry;
using Canary.Contracts.Telemetry.Storage;

namespace Canary.Benchmarks.Storage;

/// <summary>
/// Raw interval rows as the sidecar's flusher writes them (10-second intervals), for the benchmarks that fill a database
/// with a load of telemetry through <see cref="TelemetryRowWriter"/>.
/// </summary>
internal static class IntervalRows
{
    public const int IntervalMilliseconds = 10_000;

    public static HistogramRow Histogram(string sidecar, string rollout, string subset, int metric, DateTime start, byte[] encoded) =>
        HistogramRow.FromEncoding(sidecar, rollout, subset, TelemetryNames.Metrics[metric], start, IntervalMilliseconds, encoded);

    public static CounterRow Counter(string sidecar, string rollout, string subset, TelemetryCounter counter, DateTime start, long value) =>
        new(sidecar, rollout, subset, TelemetryNames.Counter(counter), start, IntervalMilliseconds, value);
}
