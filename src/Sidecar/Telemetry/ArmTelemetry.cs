using Canary.Contracts.Telemetry;
using Canary.Sidecar.Telemetry.Scanning;

namespace Canary.Sidecar.Telemetry;

/// <summary>
/// Everything measured for one (rollout route key, subset) arm: an <see cref="IntervalRecorder"/> per
/// <see cref="TelemetryMetric"/> and cumulative event counters.
/// </summary>
/// <remarks>
/// Thread-safe for any number of recording threads; every Record*/Count* call is wait-free apart from the lock-free
/// min/max update, allocates nothing, and touches the calling core's stripe of the counters and recorders. Counters
/// are cumulative since the arm was created; the flusher (the only reader) turns them into per-interval deltas with
/// <see cref="TakeCounterDeltas"/>.
/// </remarks>
internal sealed class ArmTelemetry
{
    private readonly IntervalRecorder[] _recorders;
    private readonly StripedCounters _counters = new(TelemetryNames.CounterCount);
    private readonly long[] _flushedCounters = new long[TelemetryNames.CounterCount];

    public ArmTelemetry(string routeKey, string subset)
    {
        RouteKey = routeKey;
        Subset = subset;
        _recorders = new IntervalRecorder[TelemetryNames.MetricCount];
        for (var i = 0; i < _recorders.Length; i++)
        {
            _recorders[i] = new IntervalRecorder(TelemetryLayouts.For((TelemetryMetric)i));
        }
    }

    public string RouteKey { get; }

    public string Subset { get; }

    public void Record(TelemetryMetric metric, long value) => _recorders[(int)metric].Record(value);

    public void RecordDuration(long microseconds) => _recorders[(int)TelemetryMetric.DurationUs].Record(microseconds);

    public void RecordResponseHeaders(long microseconds) => _recorders[(int)TelemetryMetric.ResponseHeadersUs].Record(microseconds);

    public void RecordTimeToFirstToken(long microseconds) => _recorders[(int)TelemetryMetric.TimeToFirstTokenUs].Record(microseconds);

    public void RecordTimePerOutputToken(long microseconds) => _recorders[(int)TelemetryMetric.TimePerOutputTokenUs].Record(microseconds);

    public void RecordInputTokens(long tokens) => _recorders[(int)TelemetryMetric.InputTokens].Record(tokens);

    public void RecordOutputTokens(long tokens) => _recorders[(int)TelemetryMetric.OutputTokens].Record(tokens);

    public void RecordCachedTokens(long tokens) => _recorders[(int)TelemetryMetric.CachedTokens].Record(tokens);

    public void RecordCacheCreationTokens(long tokens) => _recorders[(int)TelemetryMetric.CacheCreationTokens].Record(tokens);

    public void RecordReasoningTokens(long tokens) => _recorders[(int)TelemetryMetric.ReasoningTokens].Record(tokens);

    public void RecordCost(long microUsd) => _recorders[(int)TelemetryMetric.CostMicroUsd].Record(microUsd);

    public void RecordResponseBytes(long bytes) => _recorders[(int)TelemetryMetric.ResponseBytes].Record(bytes);

    public void Count(TelemetryCounter counter) => _counters.Increment((int)counter);

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
    public long Read(TelemetryCounter counter) => _counters.Read((int)counter);

    internal IntervalRecorder Recorder(TelemetryMetric metric) => _recorders[(int)metric];

    /// <summary>
    /// Writes each counter's increase since the previous call into <paramref name="deltas"/>. Only the flusher calls
    /// this; the cumulative values are never reset, so an increment racing the read lands in the next interval.
    /// </summary>
    internal void TakeCounterDeltas(Span<long> deltas)
    {
        for (var i = 0; i < _counters.Count; i++)
        {
            var current = _counters.Read(i);
            deltas[i] = current - _flushedCounters[i];
            _flushedCounters[i] = current;
        }
    }
}
