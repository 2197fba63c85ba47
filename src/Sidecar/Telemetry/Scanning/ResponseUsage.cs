using Canary.Contracts.Responses;

namespace Canary.Sidecar.Telemetry.Scanning;

/// <summary>What one response body said about usage, outcome and timing, normalized across providers.</summary>
/// <remarks>
/// Token counts use OpenAI semantics whatever the provider: <see cref="InputTokens"/> is all prompt tokens, including
/// cached reads and cache writes (Anthropic reports those separately, so they are added back), and
/// <see cref="OutputTokens"/> includes reasoning tokens. A null count was not reported or was rejected (see
/// <see cref="Flags"/>); record nothing for it rather than zero.
/// </remarks>
internal readonly record struct ResponseUsage
{
    public ResponseDialect Dialect { get; init; }

    public long? InputTokens { get; init; }

    public long? CachedInputTokens { get; init; }

    public long? CacheCreationInputTokens { get; init; }

    public long? OutputTokens { get; init; }

    public long? ReasoningTokens { get; init; }

    public FinishReason FinishReason { get; init; }

    /// <summary>A refusal: OpenAI <c>refusal</c> text or <c>content_filter</c>, Anthropic <c>refusal</c>, or a
    /// content-policy error (400, or an error event inside a successful stream).</summary>
    public bool Refusal { get; init; }

    /// <summary>The body carried an error object or error event (for example an error sent mid-stream).</summary>
    public bool HasError { get; init; }

    /// <summary>The body carried generated content (text, tool calls, reasoning or refusal text).</summary>
    public bool FirstContentSeen { get; init; }

    /// <summary>Zero-based index of the chunk whose arrival completed the first content-bearing document, or -1.</summary>
    public int FirstContentChunkIndex { get; init; }

    /// <summary>Body offset just past the first content-bearing document (independent of chunking), or -1.</summary>
    public long FirstContentOffset { get; init; }

    /// <summary>First model name reported by the body (top-level <c>model</c>, or the first event carrying one).</summary>
    public ResponseModelName Model { get; init; }

    public long TotalBytes { get; init; }

    public int ChunkCount { get; init; }

    public ScanFlags Flags { get; init; }
}
