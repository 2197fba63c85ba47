namespace Canary.Contracts.Telemetry;

/// <summary>Per-arm event counters; stored by name (<see cref="TelemetryNames.Counter"/>) as per-interval deltas.</summary>
/// <remarks>
/// The status classes partition requests that got a response: <see cref="Status4xx"/> excludes 429, which has its own
/// counter; <see cref="StatusOther"/> is 1xx/3xx. Requests without a response are <see cref="CancelledByClient"/> or
/// <see cref="EndedWithoutResponse"/>. The unparsed counters are consecutive in the order of the sidecar's skip kinds.
/// </remarks>
public enum TelemetryCounter
{
    Requests,
    Status2xx,
    Status4xx,
    Status429,
    Status5xx,
    StatusOther,
    CancelledByClient,
    EndedWithoutResponse,
    FinishStop,
    FinishLength,
    FinishContentFilter,
    FinishToolCalls,
    FinishOther,
    Refusals,
    FeedbackPositive,
    FeedbackNegative,
    UnparsedMalformed,
    UnparsedTruncated,
    UnparsedTooLarge,
    UnparsedNonUtf8,
    UnparsedContentEncoded,
    UnparsedAbsurdValue,
    ModelMismatches,
    RequestsWithoutUserKey,

    /// <summary>Histogram values outside their metric's range, recorded at the nearest bound.</summary>
    ValuesClamped,
}
