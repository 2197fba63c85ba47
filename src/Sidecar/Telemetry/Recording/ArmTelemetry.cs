using System.Runtime.CompilerServices;
using Canary.Contracts.Responses;
using Canary.Contracts.Telemetry;

namespace Canary.Sidecar.Telemetry.Recording;

/// <summary>
/// Everything measured for one (rollout route key, subset) arm: an <see cref="IntervalRecorder"/> per
/// <see cref="TelemetryMetric"/> and cumulative event counters.
/// </summary>
/// <remarks>
/// <para>Thread-safe for any number of recording threads; every Record*/Count* call is wait-free apart from the
/// lock-free min/max update and touches the calling core's stripe of the counters and recorders. Counters are
/// cumulative since the arm was created; the flusher (the only reader) turns them into per-interval deltas with
/// <see cref="TakeCounterDeltas"/>.</para>
/// <para>Storage follows traffic. An arm exists only once a request was recorded in it, and its recorders (about
/// 25 KB each, 276 KB for all of an arm's) and its counters are created by the first value or event that needs them.
/// Each slot starts null and is published once with <see cref="Interlocked.CompareExchange{T}(ref T, T, T)"/>:
/// threads racing on an arm's first request each build one, the first to publish wins, and the others record into the
/// winner and drop theirs before anything was recorded into it. After the first request recording allocates nothing.</para>
/// <para>An arm idle for a while hands its recorders back (<see cref="HandBackRecorder"/>, called by the flusher):
/// the recorder is retired, which takes its last interval for the flusher to write, and its slot is cleared. A
/// request recording at that moment either got in before the retirement, and its value is in that last interval, or
/// finds the recorder retired, clears the slot itself if still needed and records into a new recorder, which the next
/// flush takes: every value is written exactly once. Counters (a few hundred bytes) stay, so cumulative counts never
/// restart.</para>
/// </remarks>
internal sealed class ArmTelemetry
{
    // Null until the metric's first value; then fixed for the arm's lifetime.
    private readonly IntervalRecorder?[] _recorders = new IntervalRecorder?[TelemetryNames.MetricCount];

    // Null until the first event; then fixed for the arm's lifetime.
    private StripedCounters? _counters;

    // The flusher's copy of the counters at its previous call; only the flusher reads or writes it, so it is created
    // by the flusher's first call after the counters exist.
    private long[]? _flushedCounters;

    public ArmTelemetry(string routeKey, string subset)
    {
        RouteKey = routeKey;
        Subset = subset;
    }

    public string RouteKey { get; }

    public string Subset { get; }

    public void Record(TelemetryMetric metric, long value)
    {
        var recorder = Volatile.Read(ref _recorders[(int)metric]);
        if (recorder is null || !recorder.TryRecord(value))
        {
            RecordIntoNewRecorder(metric, value);
        }
    }

    public void RecordDuration(long microseconds) => Record(TelemetryMetric.DurationUs, microseconds);

    public void RecordResponseHeaders(long microseconds) => Record(TelemetryMetric.ResponseHeadersUs, microseconds);

    public void RecordTimeToFirstToken(long microseconds) => Record(TelemetryMetric.TimeToFirstTokenUs, microseconds);

    public void RecordTimePerOutputToken(long microseconds) => Record(TelemetryMetric.TimePerOutputTokenUs, microseconds);

    public void RecordInputTokens(long tokens) => Record(TelemetryMetric.InputTokens, tokens);

    public void RecordOutputTokens(long tokens) => Record(TelemetryMetric.OutputTokens, tokens);

    public void RecordCachedTokens(long tokens) => Record(TelemetryMetric.CachedTokens, tokens);

    public void RecordCacheCreationTokens(long tokens) => Record(TelemetryMetric.CacheCreationTokens, tokens);

    public void RecordReasoningTokens(long tokens) => Record(TelemetryMetric.ReasoningTokens, tokens);

    public void RecordCost(long microUsd) => Record(TelemetryMetric.CostMicroUsd, microUsd);

    public void RecordResponseBytes(long bytes) => Record(TelemetryMetric.ResponseBytes, bytes);

    public void Count(TelemetryCounter counter) => (Volatile.Read(ref _counters) ?? CreateCounters()).Increment((int)counter);

    public void CountRequest() => Count(TelemetryCounter.Requests);

    /// <summary>Counts the status class of a response: 2xx, 429, other 4xx, 5xx, or other (1xx/3xx).</summary>
    public void CountStatus(int statusCode) => Count(statusCode switch
    {
        >= 200 and < 300 => TelemetryCounter.Status2xx,
        429 => TelemetryCounter.Status429,
        >= 400 and < 500 => TelemetryCounter.Status4xx,
        >= 500 and < 600 => TelemetryCounter.Status5xx,
        _ => TelemetryCounter.StatusOther,
    });

    public void CountCancelledByClient() => Count(TelemetryCounter.CancelledByClient);

    public void CountEndedWithoutResponse() => Count(TelemetryCounter.EndedWithoutResponse);

    /// <summary>Counts a reported finish reason; <see cref="FinishReason.None"/> (none reported) counts nothing.</summary>
    public void CountFinishReason(FinishReason reason)
    {
        if (reason != FinishReason.None)
        {
            Count(FinishReasons.Counter(reason));
        }
    }

    public void CountRefusal() => Count(TelemetryCounter.Refusals);

    public void CountFeedback(bool positive) => Count(positive ? TelemetryCounter.FeedbackPositive : TelemetryCounter.FeedbackNegative);

    public void CountUnparsed(UnparsedBodyKind kind) => Count(TelemetryCounter.UnparsedMalformed + (int)kind);

    public void CountModelMismatch() => Count(TelemetryCounter.ModelMismatches);

    public void CountRequestWithoutUserKey() => Count(TelemetryCounter.RequestsWithoutUserKey);

    /// <summary>Cumulative value of a counter since the arm was created.</summary>
    public long Read(TelemetryCounter counter)
    {
        if ((uint)counter >= (uint)TelemetryNames.CounterCount)
        {
            throw new ArgumentOutOfRangeException(nameof(counter));
        }

        return Volatile.Read(ref _counters)?.Read((int)counter) ?? 0;
    }

    /// <summary>Bytes held by the recorders created so far (slot counters and per-core stripes).</summary>
    public long HistogramBytes
    {
        get
        {
            long bytes = 0;
            for (var m = 0; m < _recorders.Length; m++)
            {
                if (Volatile.Read(ref _recorders[m]) is not null)
                {
                    bytes += RecorderMemory.RecorderBytes((TelemetryMetric)m, CoreStripes.Count);
                }
            }

            return bytes;
        }
    }

    /// <summary>The metric's recorder, created if needed (tests that read what was recorded).</summary>
    internal IntervalRecorder Recorder(TelemetryMetric metric) =>
        Volatile.Read(ref _recorders[(int)metric]) ?? CreateRecorder(metric);

    /// <summary>The metric's recorder, or null while the arm holds none for it (the flusher: nothing to take).</summary>
    internal IntervalRecorder? RecorderIfCreated(TelemetryMetric metric) => Volatile.Read(ref _recorders[(int)metric]);

    /// <summary>True while the arm holds at least one recorder.</summary>
    internal bool HoldsRecorders
    {
        get
        {
            for (var m = 0; m < _recorders.Length; m++)
            {
                if (Volatile.Read(ref _recorders[m]) is not null)
                {
                    return true;
                }
            }

            return false;
        }
    }

    /// <summary>
    /// When the arm last had a value or an event in an interval the flusher took (its end), or default before the
    /// flusher first saw the arm. Only the flusher reads or writes it.
    /// </summary>
    internal DateTime LastActiveUtc { get; set; }

    /// <summary>
    /// Retires the metric's recorder and clears its slot: returns its last interval (everything recorded since the
    /// previous take, to be written like any interval), or null when the arm holds no recorder for it. Only the
    /// flusher calls this, as it would <see cref="IntervalRecorder.TakeInterval"/>.
    /// </summary>
    internal IntervalHistogram? HandBackRecorder(TelemetryMetric metric)
    {
        var recorder = Volatile.Read(ref _recorders[(int)metric]);
        if (recorder is null)
        {
            return null;
        }

        var last = recorder.Retire();
        // A recording thread that found it retired may have cleared the slot, or filled it with a new recorder: leave that one.
        Interlocked.CompareExchange(ref _recorders[(int)metric], null, recorder);
        return last;
    }

    /// <summary>
    /// Writes each counter's increase since the previous call into <paramref name="deltas"/>. Only the flusher calls
    /// this; the cumulative values are never reset, so an increment racing the read lands in the next interval.
    /// </summary>
    internal void TakeCounterDeltas(Span<long> deltas)
    {
        var counters = Volatile.Read(ref _counters);
        if (counters is null)
        {
            // Nothing counted yet; an event creating the counters now is taken by the next call, from zero.
            deltas[..TelemetryNames.CounterCount].Clear();
            return;
        }

        var flushed = _flushedCounters ??= new long[TelemetryNames.CounterCount];
        for (var i = 0; i < counters.Count; i++)
        {
            var current = counters.Read(i);
            deltas[i] = current - flushed[i];
            flushed[i] = current;
        }
    }

    // Off the inlined fast path: the metric's first value in the arm, or the first after a hand-back.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private void RecordIntoNewRecorder(TelemetryMetric metric, long value)
    {
        while (true)
        {
            var recorder = Volatile.Read(ref _recorders[(int)metric]) ?? CreateRecorder(metric);
            if (recorder.TryRecord(value))
            {
                return;
            }

            // Retired by a hand-back that has not cleared the slot yet: clear it, so the next round creates a recorder.
            Interlocked.CompareExchange(ref _recorders[(int)metric], null, recorder);
        }
    }

    private IntervalRecorder CreateRecorder(TelemetryMetric metric)
    {
        var created = new IntervalRecorder(TelemetryLayouts.For(metric));
        return Interlocked.CompareExchange(ref _recorders[(int)metric], created, null) ?? created;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private StripedCounters CreateCounters()
    {
        var created = new StripedCounters(TelemetryNames.CounterCount);
        return Interlocked.CompareExchange(ref _counters, created, null) ?? created;
    }
}
