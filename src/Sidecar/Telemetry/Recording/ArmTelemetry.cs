using System.Runtime.CompilerServices;
using Canary.Contracts.Telemetry;
using Canary.Sidecar.Telemetry.Scanning;

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
/// <para>Storage follows traffic. An arm exists for every arm of every configured rollout, but its recorders (about
/// 25 KB each, 276 KB for all of an arm's) and its counters are created by the first value or event that needs them,
/// so a configured rollout without traffic holds a few hundred bytes. Each slot starts null and is published once
/// with <see cref="Interlocked.CompareExchange{T}(ref T, T, T)"/>: threads racing on an arm's first request each
/// build one, the first to publish wins, and the others record into the winner and drop theirs before anything was
/// recorded into it, so no value lands where the flusher cannot see it. A published slot never changes again, so after
/// the first request recording allocates nothing and the flusher, which skips slots still null, takes every value
/// exactly once.</para>
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

    public void Record(TelemetryMetric metric, long value) => Recorder(metric).Record(value);

    public void RecordDuration(long microseconds) => Recorder(TelemetryMetric.DurationUs).Record(microseconds);

    public void RecordResponseHeaders(long microseconds) => Recorder(TelemetryMetric.ResponseHeadersUs).Record(microseconds);

    public void RecordTimeToFirstToken(long microseconds) => Recorder(TelemetryMetric.TimeToFirstTokenUs).Record(microseconds);

    public void RecordTimePerOutputToken(long microseconds) => Recorder(TelemetryMetric.TimePerOutputTokenUs).Record(microseconds);

    public void RecordInputTokens(long tokens) => Recorder(TelemetryMetric.InputTokens).Record(tokens);

    public void RecordOutputTokens(long tokens) => Recorder(TelemetryMetric.OutputTokens).Record(tokens);

    public void RecordCachedTokens(long tokens) => Recorder(TelemetryMetric.CachedTokens).Record(tokens);

    public void RecordCacheCreationTokens(long tokens) => Recorder(TelemetryMetric.CacheCreationTokens).Record(tokens);

    public void RecordReasoningTokens(long tokens) => Recorder(TelemetryMetric.ReasoningTokens).Record(tokens);

    public void RecordCost(long microUsd) => Recorder(TelemetryMetric.CostMicroUsd).Record(microUsd);

    public void RecordResponseBytes(long bytes) => Recorder(TelemetryMetric.ResponseBytes).Record(bytes);

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
            Count(TelemetryCounter.FinishStop + ((int)reason - (int)FinishReason.Stop));
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
                    bytes += TelemetryLayouts.RecorderBytes((TelemetryMetric)m, CoreStripes.Count);
                }
            }

            return bytes;
        }
    }

    /// <summary>The metric's recorder, created on first use (the recording path, and tests that read it).</summary>
    internal IntervalRecorder Recorder(TelemetryMetric metric) =>
        Volatile.Read(ref _recorders[(int)metric]) ?? CreateRecorder(metric);

    /// <summary>The metric's recorder, or null while nothing was ever recorded for it (the flusher: nothing to take).</summary>
    internal IntervalRecorder? RecorderIfCreated(TelemetryMetric metric) => Volatile.Read(ref _recorders[(int)metric]);

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

    // Off the inlined fast path: runs once per arm and metric, on the first value of the arm's first request.
    [MethodImpl(MethodImplOptions.NoInlining)]
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
