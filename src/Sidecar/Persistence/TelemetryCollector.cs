using Canary.Contracts.Telemetry;
using Canary.Contracts.Telemetry.Storage;
using Canary.Sidecar.Telemetry.Recording;

namespace Canary.Sidecar.Persistence;

/// <summary>
/// Takes the interval of every arm (histogram swap + counter deltas) and encodes it into a <see cref="TelemetryBatch"/>,
/// and hands back the recorders of arms idle for <see cref="ArmIdleTimeout"/>, writing their last interval in the same
/// batch. Only one thread may collect at a time (the flusher); it reuses one encoding buffer for all histograms.
/// </summary>
/// <remarks>
/// An arm is idle when none of its intervals since <see cref="ArmTelemetry.LastActiveUtc"/> had a value or an event.
/// Its recorders then go back to the garbage collector (about 257 KB per arm with two core stripes), so the memory of
/// telemetry follows the rollouts that have traffic, not the ones configured; the next request of that arm creates
/// new ones. The hand-back happens right after the arm's interval was taken, so its last interval holds only what a
/// request recorded in between, and is written like any other interval.
/// </remarks>
internal sealed class TelemetryCollector
{
    private readonly TelemetryRegistry _registry;
    private readonly string _sidecarId;
    private readonly byte[] _scratch;
    private readonly long[] _deltas = new long[TelemetryNames.CounterCount];

    public TelemetryCollector(TelemetryRegistry registry, string sidecarId, TimeSpan? armIdleTimeout = null)
    {
        _registry = registry;
        _sidecarId = sidecarId;
        ArmIdleTimeout = armIdleTimeout ?? PersistenceOptions.DefaultArmIdleTimeout;
        var largest = 0;
        for (var i = 0; i < TelemetryNames.MetricCount; i++)
        {
            largest = Math.Max(largest, HistogramCodec.MaxEncodedLength(TelemetryLayouts.For((TelemetryMetric)i)));
        }

        _scratch = new byte[largest];
    }

    public TimeSpan ArmIdleTimeout { get; }

    /// <summary>Arms whose recorders were handed back since start.</summary>
    public long ArmsHandedBack { get; private set; }

    /// <summary>Bytes of the recorders handed back since start (<see cref="RecorderMemory.RecorderBytes"/> each).</summary>
    public long BytesHandedBack { get; private set; }

    /// <summary>Collects the interval [<paramref name="intervalStartUtc"/>, +<paramref name="intervalMilliseconds"/>).
    /// Histograms with no values and counters that did not move are left out.</summary>
    public TelemetryBatch Collect(DateTime intervalStartUtc, int intervalMilliseconds)
    {
        var batch = new TelemetryBatch(intervalStartUtc, intervalMilliseconds);
        var intervalEnd = intervalStartUtc.AddMilliseconds(intervalMilliseconds);
        var arms = _registry.Arms;
        for (var a = 0; a < arms.Count; a++)
        {
            var arm = arms[a];
            long clamped = 0;
            var active = false;
            for (var m = 0; m < TelemetryNames.MetricCount; m++)
            {
                var metric = (TelemetryMetric)m;
                // A recorder still null has never had a value; one created after this read is taken next time.
                var recorder = arm.RecorderIfCreated(metric);
                if (recorder is not null && Append(batch, arm, metric, recorder.TakeInterval(), intervalStartUtc, intervalMilliseconds, ref clamped))
                {
                    active = true;
                }
            }

            arm.TakeCounterDeltas(_deltas);
            for (var c = 0; c < _deltas.Length; c++)
            {
                active |= _deltas[c] != 0;
            }

            if (active || arm.LastActiveUtc == default)
            {
                arm.LastActiveUtc = intervalEnd;
            }
            else if (intervalEnd - arm.LastActiveUtc >= ArmIdleTimeout && arm.HoldsRecorders)
            {
                HandBack(batch, arm, intervalStartUtc, intervalMilliseconds, ref clamped);
            }

            _deltas[(int)TelemetryCounter.ValuesClamped] += clamped;
            for (var c = 0; c < _deltas.Length; c++)
            {
                if (_deltas[c] != 0)
                {
                    batch.Counters.Add(new CounterRow(_sidecarId, arm.RouteKey, arm.Subset, TelemetryNames.Counter((TelemetryCounter)c), intervalStartUtc,
                        intervalMilliseconds, _deltas[c]));
                }
            }
        }

        return batch;
    }

    /// <summary>Retires every recorder of an idle arm; values recorded since this collection took them go into this batch.</summary>
    private void HandBack(TelemetryBatch batch, ArmTelemetry arm, DateTime intervalStartUtc, int intervalMilliseconds, ref long clamped)
    {
        for (var m = 0; m < TelemetryNames.MetricCount; m++)
        {
            var metric = (TelemetryMetric)m;
            if (arm.HandBackRecorder(metric) is { } last)
            {
                BytesHandedBack += RecorderMemory.RecorderBytes(metric, CoreStripes.Count);
                // The regular interval of this metric was empty (the arm was idle), so this is its only row.
                Append(batch, arm, metric, last, intervalStartUtc, intervalMilliseconds, ref clamped);
            }
        }

        ArmsHandedBack++;
    }

    private bool Append(
        TelemetryBatch batch, ArmTelemetry arm, TelemetryMetric metric, IntervalHistogram interval, DateTime intervalStartUtc, int intervalMilliseconds,
        ref long clamped)
    {
        var count = interval.TotalCount();
        if (count == 0)
        {
            return false;
        }

        clamped += interval.Clamped;
        var length = interval.Encode(_scratch);
        batch.Histograms.Add(new HistogramRow(_sidecarId, arm.RouteKey, arm.Subset, TelemetryNames.Metric(metric), intervalStartUtc,
            intervalMilliseconds, count, interval.Sum, interval.Min, interval.Max, batch.Append(_scratch.AsSpan(0, length))));
        return true;
    }
}
