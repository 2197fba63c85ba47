namespace Canary.Sidecar.Telemetry.Scanning;

/// <summary>What a scan skipped or distrusted; one bit per kind so the caller can count each.</summary>
/// <remarks>Whenever a flag is set, the value it concerns was left out of the result rather than guessed.</remarks>
[Flags]
internal enum ScanFlags : ushort
{
    None = 0,

    /// <summary>The body, or an SSE event, was not valid JSON; that document's values were discarded.</summary>
    MalformedJson = 1 << 0,

    /// <summary>A JSON string held bytes that are not UTF-8; that document's values were discarded.</summary>
    InvalidUtf8 = 1 << 1,

    /// <summary>A document nested deeper than the tokenizer tracks; its values were discarded.</summary>
    TooDeep = 1 << 2,

    /// <summary>The body ended inside a JSON document (a stream cut mid-event); the partial document was discarded.</summary>
    Truncated = 1 << 3,

    /// <summary>An SSE stream ended without its terminal event (<c>[DONE]</c>, <c>message_stop</c>, <c>response.completed</c>).</summary>
    MissingStreamEnd = 1 << 4,

    /// <summary>A token count was negative, above 10^9, fractional or not a number; that count was dropped.</summary>
    InvalidTokenCount = 1 << 5,

    /// <summary>Cached input exceeded input, or reasoning exceeded output; the sub-count was dropped.</summary>
    InconsistentUsage = 1 << 6,

    /// <summary>A document (the body or one SSE event) exceeded the scan limit; it was not scanned further.</summary>
    OverScanLimit = 1 << 7,

    /// <summary>The body was content-encoded (gzip, br, deflate) and was counted but not scanned.</summary>
    Compressed = 1 << 8,

    /// <summary>Non-whitespace bytes followed a complete JSON document in the body or event; they were ignored.</summary>
    TrailingData = 1 << 9,

    /// <summary>The response model name did not fit the fixed buffer; no model was recorded.</summary>
    ModelNameTooLong = 1 << 10,
}
