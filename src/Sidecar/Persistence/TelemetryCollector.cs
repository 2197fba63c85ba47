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

    // Values clamped into their layout's range in the arm being collected: in all, and per user-group slot.
    private readonly long[] _clampedBySlot = new long[UserGroupSlots.Count];
    private long _clamped;

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
    /// <remarks>
    /// A comparison arm's rows carry its user groups: each histogram row the per-group counts, sums and coarse bins of
    /// the same phase, each counter row the per-group values of its <see cref="UserGroupCounterRecorder"/> interval
    /// (from which the row's value is summed, so the two always agree), and the <c>requests</c> row the interval's
    /// bucket set. A row whose interval holds anything without a user group is written without groups.
    /// </remarks>
    public TelemetryBatch Collect(DateTime intervalStartUtc, int intervalMilliseconds)
    {
        var batch = new TelemetryBatch(intervalStartUtc, intervalMilliseconds);
        var intervalEnd = intervalStartUtc.AddMilliseconds(intervalMilliseconds);
        var arms = _registry.Arms;
        for (var a = 0; a < arms.Count; a++)
        {
            var arm = arms[a];
            _clamped = 0;
            Array.Clear(_clampedBySlot);
            var active = false;
            for (var m = 0; m < TelemetryNames.MetricCount; m++)
            {
                var metric = (TelemetryMetric)m;
                // A recorder still null has never had a value; one created after this read is taken next time.
                var recorder = arm.RecorderIfCreated(metric);
                if (recorder is not null && Append(batch, arm, metric, recorder.TakeInterval(), intervalStartUtc, intervalMilliseconds))
                {
                    active = true;
                }
            }

            // A comparison arm's rows come from its per-group interval; the cumulative counters serve the other arms.
            UserGroupCounters? groups = null;
            if (arm.RecordsUserGroups)
            {
                groups = arm.GroupCountersIfCreated?.TakeInterval();
                active |= groups is { IsEmpty: false };
            }
            else
            {
                arm.TakeCounterDeltas(_deltas);
                for (var c = 0; c < _deltas.Length; c++)
                {
                    active |= _deltas[c] != 0;
                }
            }

            if (active || arm.LastActiveUtc == default)
            {
                arm.LastActiveUtc = intervalEnd;
            }
            else if (intervalEnd - arm.LastActiveUtc >= ArmIdleTimeout && arm.HoldsRecorders)
            {
                // The regular interval was empty (the arm was idle), so the last one replaces it.
                groups = HandBack(batch, arm, intervalStartUtc, intervalMilliseconds) ?? groups;
            }

            if (arm.RecordsUserGroups)
            {
                AppendGroupCounters(batch, arm, groups, intervalStartUtc, intervalMilliseconds);
                continue;
            }

            _deltas[(int)TelemetryCounter.ValuesClamped] += _clamped;
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

    /// <summary>
    /// Retires every recorder of an idle arm; values recorded since this collection took them go into this batch.
    /// Returns the last interval of the arm's per-group counters, if it held them.
    /// </summary>
    private UserGroupCounters? HandBack(TelemetryBatch batch, ArmTelemetry arm, DateTime intervalStartUtc, int intervalMilliseconds)
    {
        for (var m = 0; m < TelemetryNames.MetricCount; m++)
        {
            var metric = (TelemetryMetric)m;
            if (arm.HandBackRecorder(metric) is { } last)
            {
                BytesHandedBack += RecorderMemory.RecorderBytes(metric, CoreStripes.Count, arm.RecordsUserGroups);
                // The regular interval of this metric was empty (the arm was idle), so this is its only row.
                Append(batch, arm, metric, last, intervalStartUtc, intervalMilliseconds);
            }
        }

        var groups = arm.HandBackGroupCounters();
        if (groups is not null)
        {
            BytesHandedBack += RecorderMemory.UserGroupCounterBytes(CoreStripes.Count);
        }

        ArmsHandedBack++;
        return groups;
    }

    private bool Append(
        TelemetryBatch batch, ArmTelemetry arm, TelemetryMetric metric, IntervalHistogram interval, DateTime intervalStartUtc, int intervalMilliseconds)
    {
        var count = interval.TotalCount();
        if (count == 0)
        {
            return false;
        }

        _clamped += interval.Clamped;
        if (interval.Groups is { } groups)
        {
            for (var slot = 0; slot < _clampedBySlot.Length; slot++)
            {
                _clampedBySlot[slot] += groups.Clamped(slot);
            }
        }
        var length = interval.Encode(_scratch);
        batch.Histograms.Add(new HistogramRow(_sidecarId, arm.RouteKey, arm.Subset, TelemetryNames.Metric(metric), intervalStartUtc,
            intervalMilliseconds, count, interval.Sum, interval.Min, interval.Max, batch.Append(_scratch.AsSpan(0, length)), interval.Groups?.Encode()));
        return true;
    }

    /// <summary>A comparison arm's counter rows, each with its per-group values; the <c>requests</c> row with the bucket set.</summary>
    private void AppendGroupCounters(
        TelemetryBatch batch, ArmTelemetry arm, UserGroupCounters? groups, DateTime intervalStartUtc, int intervalMilliseconds)
    {
        for (var c = 0; c < TelemetryNames.CounterCount; c++)
        {
            var counter = (TelemetryCounter)c;
            if (counter == TelemetryCounter.ValuesClamped)
            {
                // Counted from the histograms' phases, per group like everything else.
                if (_clamped != 0)
                {
                    batch.Counters.Add(new CounterRow(_sidecarId, arm.RouteKey, arm.Subset, TelemetryNames.Counter(counter), intervalStartUtc,
                        intervalMilliseconds, _clamped, _clampedBySlot[UserGroupSlots.Ungrouped] == 0 ? UserGroupCodec.EncodeCounts(_clampedBySlot.AsSpan(0, UserGroups.Count)) : null));
                }

                continue;
            }

            var value = groups?.Total(counter) ?? 0;
            if (value == 0)
            {
                continue;
            }

            batch.Counters.Add(new CounterRow(_sidecarId, arm.RouteKey, arm.Subset, TelemetryNames.Counter(counter), intervalStartUtc,
                intervalMilliseconds, value, groups!.EncodeGroups(counter), counter == TelemetryCounter.Requests ? groups.EncodeBuckets() : null));
        }
    }
}
