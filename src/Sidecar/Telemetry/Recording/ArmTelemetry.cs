using System.Runtime.CompilerServices;
using Canary.Contracts.Responses;
using Canary.Contracts.Telemetry;

namespace Canary.Sidecar.Telemetry.Recording;

/// <summary>
/// Everything measured for one (rollout route key, subset) arm: an <see cref="IntervalRecorder"/> per
/// <see cref="TelemetryMetric"/> and cumulative event counters; in a comparison arm (<see cref="RecordsUserGroups"/>)
/// also every value and event per user group of the request's sticky bucket, and the buckets that sent requests.
/// </summary>
/// <remarks>
/// <para>Thread-safe for any number of recording threads; every Record*/Count* call is wait-free apart from the
/// lock-free min/max update and touches the calling core's stripe of the counters and recorders. Counters are
/// cumulative since the arm was created; the flusher (the only reader) turns them into per-interval deltas with
/// <see cref="TakeCounterDeltas"/>.</para>
/// <para>User groups. Every Record*/Count* call takes the request's sticky bucket (<see cref="UserGroupSlots.NoBucket"/>
/// when it has none); an arm outside the comparison ignores it. In a comparison arm each histogram recorder also keeps
/// the metric per group in the same phases (<see cref="IntervalHistogram.Groups"/>), and the events go into a
/// <see cref="UserGroupCounterRecorder"/> as well as the cumulative counters: the flusher writes a comparison arm's
/// counter rows from that recorder's intervals, so each row's groups add up to its value, and its <c>requests</c>
/// row carries the interval's bucket set.</para>
/// <para>Storage follows traffic. An arm exists only once a request was recorded in it, and its recorders (about
/// 25 KB each, 276 KB for all of an arm's; a comparison arm's group data adds <see cref="RecorderMemory.UserGroupBytesPerArm"/>)
/// and its counters are created by the first value or event that needs them.
/// Each slot starts null and is published once with <see cref="Interlocked.CompareExchange{T}(ref T, T, T)"/>:
/// threads racing on an arm's first request each build one, the first to publish wins, and the others record into the
/// winner and drop theirs before anything was recorded into it. After the first request recording allocates nothing.</para>
/// <para>An arm idle for a while hands its recorders back (<see cref="HandBackRecorder"/> and
/// <see cref="HandBackGroupCounters"/>, called by the flusher): the recorder is retired, which takes its last interval
/// for the flusher to write, and its slot is cleared. A request recording at that moment either got in before the
/// retirement, and its value is in that last interval, or finds the recorder retired, clears the slot itself if still
/// needed and records into a new recorder, which the next flush takes: every value is written exactly once. The
/// cumulative counters (a few hundred bytes) stay, so cumulative counts never restart.</para>
/// </remarks>
internal sealed class ArmTelemetry
{
    // Null until the metric's first value; then fixed until the arm hands it back.
    private readonly IntervalRecorder?[] _recorders = new IntervalRecorder?[TelemetryNames.MetricCount];

    // Null until the first event; then fixed for the arm's lifetime.
    private StripedCounters? _counters;

    // Comparison arms only: null until the first event; then fixed until the arm hands it back.
    private UserGroupCounterRecorder? _groupCounters;

    // The flusher's copy of the counters at its previous call; only the flusher reads or writes it, so it is created
    // by the flusher's first call after the counters exist.
    private long[]? _flushedCounters;

    /// <param name="routeKey">The rollout's route key.</param>
    /// <param name="subset">The arm's subset name.</param>
    /// <param name="recordsUserGroups">True for the two arms of the comparison: record per user group as well.</param>
    public ArmTelemetry(string routeKey, string subset, bool recordsUserGroups = false)
    {
        RouteKey = routeKey;
        Subset = subset;
        RecordsUserGroups = recordsUserGroups;
    }

    public string RouteKey { get; }

    public string Subset { get; }

    /// <summary>True for a comparison arm: values and events are recorded per user group too.</summary>
    public bool RecordsUserGroups { get; }

    /// <summary>Records a value of <paramref name="metric"/> for a request of sticky bucket <paramref name="bucket"/>.</summary>
    public void Record(TelemetryMetric metric, long value, int bucket = UserGroupSlots.NoBucket)
    {
        var recorder = Volatile.Read(ref _recorders[(int)metric]);
        if (recorder is null || !recorder.TryRecord(value, bucket))
        {
            RecordIntoNewRecorder(metric, value, bucket);
        }
    }

    public void RecordDuration(long microseconds, int bucket = UserGroupSlots.NoBucket) => Record(TelemetryMetric.DurationUs, microseconds, bucket);

    public void RecordResponseHeaders(long microseconds, int bucket = UserGroupSlots.NoBucket) => Record(TelemetryMetric.ResponseHeadersUs, microseconds, bucket);

    public void RecordTimeToFirstToken(long microseconds, int bucket = UserGroupSlots.NoBucket) => Record(TelemetryMetric.TimeToFirstTokenUs, microseconds, bucket);

    public void RecordTimePerOutputToken(long microseconds, int bucket = UserGroupSlots.NoBucket) => Record(TelemetryMetric.TimePerOutputTokenUs, microseconds, bucket);

    public void RecordInputTokens(long tokens, int bucket = UserGroupSlots.NoBucket) => Record(TelemetryMetric.InputTokens, tokens, bucket);

    public void RecordOutputTokens(long tokens, int bucket = UserGroupSlots.NoBucket) => Record(TelemetryMetric.OutputTokens, tokens, bucket);

    public void RecordCachedTokens(long tokens, int bucket = UserGroupSlots.NoBucket) => Record(TelemetryMetric.CachedTokens, tokens, bucket);

    public void RecordCacheCreationTokens(long tokens, int bucket = UserGroupSlots.NoBucket) => Record(TelemetryMetric.CacheCreationTokens, tokens, bucket);

    public void RecordReasoningTokens(long tokens, int bucket = UserGroupSlots.NoBucket) => Record(TelemetryMetric.ReasoningTokens, tokens, bucket);

    public void RecordCost(long microUsd, int bucket = UserGroupSlots.NoBucket) => Record(TelemetryMetric.CostMicroUsd, microUsd, bucket);

    public void RecordResponseBytes(long bytes, int bucket = UserGroupSlots.NoBucket) => Record(TelemetryMetric.ResponseBytes, bytes, bucket);

    /// <summary>Counts an event of a request of sticky bucket <paramref name="bucket"/>.</summary>
    public void Count(TelemetryCounter counter, int bucket = UserGroupSlots.NoBucket)
    {
        (Volatile.Read(ref _counters) ?? CreateCounters()).Increment((int)counter);
        if (RecordsUserGroups)
        {
            var groups = Volatile.Read(ref _groupCounters);
            if (groups is null || !groups.TryCount(counter, bucket))
            {
                CountIntoNewGroupCounters(counter, bucket);
            }
        }
    }

    /// <summary>Counts a request; in a comparison arm its bucket joins the interval's bucket set.</summary>
    public void CountRequest(int bucket = UserGroupSlots.NoBucket) => Count(TelemetryCounter.Requests, bucket);

    /// <summary>Counts the status class of a response: 2xx, 429, other 4xx, 5xx, or other (1xx/3xx).</summary>
    public void CountStatus(int statusCode, int bucket = UserGroupSlots.NoBucket) => Count(statusCode switch
    {
        >= 200 and < 300 => TelemetryCounter.Status2xx,
        429 => TelemetryCounter.Status429,
        >= 400 and < 500 => TelemetryCounter.Status4xx,
        >= 500 and < 600 => TelemetryCounter.Status5xx,
        _ => TelemetryCounter.StatusOther,
    }, bucket);

    public void CountCancelledByClient(int bucket = UserGroupSlots.NoBucket) => Count(TelemetryCounter.CancelledByClient, bucket);

    public void CountEndedWithoutResponse(int bucket = UserGroupSlots.NoBucket) => Count(TelemetryCounter.EndedWithoutResponse, bucket);

    /// <summary>Counts a reported finish reason; <see cref="FinishReason.None"/> (none reported) counts nothing.</summary>
    public void CountFinishReason(FinishReason reason, int bucket = UserGroupSlots.NoBucket)
    {
        if (reason != FinishReason.None)
        {
            Count(FinishReasons.Counter(reason), bucket);
        }
    }

    public void CountRefusal(int bucket = UserGroupSlots.NoBucket) => Count(TelemetryCounter.Refusals, bucket);

    public void CountFeedback(bool positive, int bucket = UserGroupSlots.NoBucket) =>
        Count(positive ? TelemetryCounter.FeedbackPositive : TelemetryCounter.FeedbackNegative, bucket);

    public void CountUnparsed(UnparsedBodyKind kind, int bucket = UserGroupSlots.NoBucket) => Count(TelemetryCounter.UnparsedMalformed + (int)kind, bucket);

    public void CountModelMismatch(int bucket = UserGroupSlots.NoBucket) => Count(TelemetryCounter.ModelMismatches, bucket);

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

    /// <summary>Bytes held by the recorders created so far (slot counters and per-core stripes, and in a comparison
    /// arm its per-group histograms and counters).</summary>
    public long HistogramBytes
    {
        get
        {
            long bytes = 0;
            for (var m = 0; m < _recorders.Length; m++)
            {
                if (Volatile.Read(ref _recorders[m]) is not null)
                {
                    bytes += RecorderMemory.RecorderBytes((TelemetryMetric)m, CoreStripes.Count, RecordsUserGroups);
                }
            }

            if (Volatile.Read(ref _groupCounters) is not null)
            {
                bytes += RecorderMemory.UserGroupCounterBytes(CoreStripes.Count);
            }

            return bytes;
        }
    }

    /// <summary>The metric's recorder, created if needed (tests that read what was recorded).</summary>
    internal IntervalRecorder Recorder(TelemetryMetric metric) =>
        Volatile.Read(ref _recorders[(int)metric]) ?? CreateRecorder(metric);

    /// <summary>The metric's recorder, or null while the arm holds none for it (the flusher: nothing to take).</summary>
    internal IntervalRecorder? RecorderIfCreated(TelemetryMetric metric) => Volatile.Read(ref _recorders[(int)metric]);

    /// <summary>The per-group counters, or null while the arm holds none (outside the comparison, or nothing counted
    /// since the last hand-back).</summary>
    internal UserGroupCounterRecorder? GroupCountersIfCreated => Volatile.Read(ref _groupCounters);

    /// <summary>True while the arm holds at least one recorder (histograms or per-group counters).</summary>
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

            return Volatile.Read(ref _groupCounters) is not null;
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
    /// Retires the per-group counters and clears their slot, like <see cref="HandBackRecorder"/>: returns their last
    /// interval, or null when the arm holds none. Only the flusher calls this.
    /// </summary>
    internal UserGroupCounters? HandBackGroupCounters()
    {
        var recorder = Volatile.Read(ref _groupCounters);
        if (recorder is null)
        {
            return null;
        }

        var last = recorder.Retire();
        Interlocked.CompareExchange(ref _groupCounters, null, recorder);
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
    private void RecordIntoNewRecorder(TelemetryMetric metric, long value, int bucket)
    {
        while (true)
        {
            var recorder = Volatile.Read(ref _recorders[(int)metric]) ?? CreateRecorder(metric);
            if (recorder.TryRecord(value, bucket))
            {
                return;
            }

            // Retired by a hand-back that has not cleared the slot yet: clear it, so the next round creates a recorder.
            Interlocked.CompareExchange(ref _recorders[(int)metric], null, recorder);
        }
    }

    private IntervalRecorder CreateRecorder(TelemetryMetric metric)
    {
        var created = new IntervalRecorder(TelemetryLayouts.For(metric), RecordsUserGroups ? UserGroups.CoarseBinCount(metric) : null);
        return Interlocked.CompareExchange(ref _recorders[(int)metric], created, null) ?? created;
    }

    // Off the inlined fast path: the arm's first event, or the first after a hand-back; as RecordIntoNewRecorder.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private void CountIntoNewGroupCounters(TelemetryCounter counter, int bucket)
    {
        while (true)
        {
            var recorder = Volatile.Read(ref _groupCounters);
            if (recorder is null)
            {
                var created = new UserGroupCounterRecorder();
                recorder = Interlocked.CompareExchange(ref _groupCounters, created, null) ?? created;
            }

            if (recorder.TryCount(counter, bucket))
            {
                return;
            }

            Interlocked.CompareExchange(ref _groupCounters, null, recorder);
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private StripedCounters CreateCounters()
    {
        var created = new StripedCounters(TelemetryNames.CounterCount);
        return Interlocked.CompareExchange(ref _counters, created, null) ?? created;
    }
}
