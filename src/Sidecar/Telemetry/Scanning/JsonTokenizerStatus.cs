namespace Canary.Sidecar.Telemetry.Scanning;

/// <summary>Where a <see cref="JsonStreamTokenizer"/> stands in its current document.</summary>
internal enum JsonTokenizerStatus : byte
{
    /// <summary>Only whitespace so far.</summary>
    Empty,

    /// <summary>A document has started and is not finished.</summary>
    InProgress,

    /// <summary>The root value closed; the document was well formed.</summary>
    Complete,

    /// <summary>A byte broke the JSON grammar.</summary>
    Malformed,

    /// <summary>A string contained bytes that are not well-formed UTF-8.</summary>
    InvalidUtf8,

    /// <summary>Containers nested deeper than <see cref="JsonStreamTokenizer.MaxDepth"/>.</summary>
    TooDeep,
}
