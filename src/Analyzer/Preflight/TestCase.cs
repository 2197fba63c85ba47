namespace Canary.Analyzer.Preflight;

/// <summary>One line of a test set: the conversation sent to both versions and what the answer must satisfy.</summary>
internal sealed record TestCase
{
    public required string Id { get; init; }

    public required int LineNumber { get; init; }

    public string? System { get; init; }

    public required IReadOnlyList<ChatMessage> Messages { get; init; }

    /// <summary>The request's max_tokens.</summary>
    public required int MaxTokens { get; init; }

    public bool MustPass { get; init; }

    public required CaseExpectations Expect { get; init; }
}
