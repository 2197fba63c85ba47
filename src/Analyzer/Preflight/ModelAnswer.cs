namespace Canary.Analyzer.Preflight;

/// <summary>One version's answer to one case, with what it cost and how long it took.</summary>
internal sealed record ModelAnswer
{
    public required string Text { get; init; }

    public long? InputTokens { get; init; }

    public long? OutputTokens { get; init; }

    /// <summary>finish_reason (OpenAI) or stop_reason (Anthropic), as sent.</summary>
    public string? FinishReason { get; init; }

    /// <summary>The provider flagged a refusal itself (OpenAI <c>message.refusal</c>, a "refusal" stop reason).</summary>
    public bool ProviderRefusal { get; init; }

    /// <summary>From sending the request to the last byte of the answer (the successful attempt only).</summary>
    public required TimeSpan Latency { get; init; }

    /// <summary>Streaming only: from sending the request to the first text.</summary>
    public TimeSpan? TimeToFirstToken { get; init; }
}
