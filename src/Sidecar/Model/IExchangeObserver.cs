namespace Canary.Sidecar.Model;

/// <summary>
/// Something that follows the response side of routed exchanges (telemetry, the tripwire). Called synchronously on the
/// stream's thread: implementations must be quick, thread-safe across streams, and must not allocate or block.
/// </summary>
internal interface IExchangeObserver
{
    /// <summary>response_headers arrived; <see cref="ExchangeState.Status"/> holds the HTTP status (0 if absent).</summary>
    void OnResponseHeaders(ref ExchangeState state);

    /// <summary>A streamed response_body chunk arrived (only when an observer asked for the body).</summary>
    void OnResponseBody(ref ExchangeState state, ReadOnlySpan<byte> chunk, bool endOfStream);

    /// <summary>The ext_proc stream ended; <paramref name="cancelled"/> when Envoy reset it rather than half-closing.</summary>
    void OnExchangeEnd(ref ExchangeState state, bool cancelled);
}
