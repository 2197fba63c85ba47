namespace Canary.Contracts.Telemetry;

/// <summary>Histogram metrics recorded per rollout and subset; values are integers in the unit the name states.</summary>
/// <remarks>Stored by name (<see cref="TelemetryNames.Metric"/>), never by number, so members may be added anywhere.</remarks>
public enum TelemetryMetric
{
    /// <summary>Request start to end of the response stream, µs.</summary>
    DurationUs,

    /// <summary>Request start to response headers, µs.</summary>
    ResponseHeadersUs,

    /// <summary>Request start to the first body chunk carrying content (streams), µs.</summary>
    TimeToFirstTokenUs,

    /// <summary>(Duration − time to first token) / (output tokens − 1), µs per token (streams).</summary>
    TimePerOutputTokenUs,

    InputTokens,

    OutputTokens,

    /// <summary>Input tokens served from the provider's prompt cache.</summary>
    CachedTokens,

    /// <summary>Input tokens written to the provider's prompt cache (Anthropic cache_creation_input_tokens).</summary>
    CacheCreationTokens,

    ReasoningTokens,

    /// <summary>Cost of the request from the price table, micro-USD.</summary>
    CostMicroUsd,

    /// <summary>Response body bytes as received from upstream.</summary>
    ResponseBytes,
}
