namespace Canary.IntegrationTests.Preflight;

/// <summary>What a fake model server answers: text and token counts, or a status, a delay, a raw (malformed) body, a cut stream.</summary>
internal sealed record FakeReply
{
    public int Status { get; init; } = 200;

    public string Text { get; init; } = "";

    /// <summary>Before answering, on the server's clock; <see cref="Timeout.InfiniteTimeSpan"/> never answers (until the server stops).</summary>
    public TimeSpan Delay { get; init; }

    public string? RetryAfter { get; init; }

    /// <summary>Sent verbatim instead of a well-formed body.</summary>
    public string? RawBody { get; init; }

    /// <summary>Streaming only: stop after the first text event, without the final events.</summary>
    public bool CutStream { get; init; }

    public int InputTokens { get; init; } = 12;

    public int OutputTokens { get; init; } = 8;

    public string? StopReason { get; init; }
}
