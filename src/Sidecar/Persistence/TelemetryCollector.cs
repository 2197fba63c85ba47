using Canary.Contracts.Telemetry;
using Canary.Sidecar.Telemetry.Recording;

namespace Canary.Sidecar.Persistence;

/// <summary>
/// Takes the interval of every arm (histogram swap + counter deltas) and encodes it into a <see cref="TelemetryBatch"/>.
/// Only one thread may collect at a time (the flusher); it reuses one encoding buffer for all histograms.
/// </summary>
internal sealed class TelemetryCollector
{
    private readonly TelemetryRegistry _registry;
    private readonly byte[] _scratch;
    private readonly long[] _deltas = new long[TelemetryNames.CounterCount];

    public TelemetryCollector(TelemetryRegistry registry)
    {
        _registry = registry;
        var largest = 0;
        for (var i = 0; i < TelemetryNames.MetricCount; i++)
        {
            largest = Math.Max(largest, HistogramCodec.MaxEncodedLength(TelemetryLayouts.For((TelemetryMetric)i)));
        }

        _scratch = new byte[largest];
    }

    /// <summary>Collects the interval [<paramref name="intervalStartUtc"/>, +<paramref name="intervalMilliseconds"/>).
    /// Histograms with no values and counters that did not move are left out.</summary>
    public TelemetryBatch Collect(DateTime intervalStartUtc, int intervalMilliseconds)
    {
        var batch = new TelemetryBatch(intervalStartUtc, intervalMilliseconds);
        var arms = _registry.Arms;
        for (var a = 0; a < arms.Count; a++)
        {
            var arm = arms[a];
            long clamped = 0;
            for (var m = 0; m < TelemetryNames.MetricCount; m++)
            {
                var metric = (TelemetryMetric)m;
                // A recorder still null has never had a value; one created after this read is taken next time.
                var recorder = arm.RecorderIfCreated(metric);
                if (recorder is null)
                {
                    continue;
                }

                var interval = recorder.TakeInterval();
                var count = interval.TotalCount();
                if (count == 0)
                {
                    continue;
                }

                clamped += interval.Clamped;
                var length = HistogramCodec.Encode(interval, _scratch);
                var offset = batch.Append(_scratch.AsSpan(0, length));
                batch.Histograms.Add(new HistogramRow(arm.RouteKey, arm.Subset, metric, count, interval.Sum, interval.Min, interval.Max, offset, length));
            }

            arm.TakeCounterDeltas(_deltas);
            _deltas[(int)TelemetryCounter.ValuesClamped] += clamped;
            for (var c = 0; c < _deltas.Length; c++)
            {
                if (_deltas[c] != 0)
                {
                    batch.Counters.Add(new CounterRow(arm.RouteKey, arm.Subset, (TelemetryCounter)c, _deltas[c]));
                }
            }
        }

        return batch;
    }
}
