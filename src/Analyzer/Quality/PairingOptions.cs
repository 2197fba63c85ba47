namespace Canary.Analyzer.Quality;

/// <summary>
/// Paired comparison (<c>Canary:Judge:Paired</c>): which rollouts opt in, and the API keys for calling their versions
/// again. Where to call them (URL, protocol, model, headers) comes from each rollout's newest preflight record, which
/// never holds a key. A class, not a record: a record's generated <c>ToString</c> would print the keys.
/// </summary>
internal sealed class PairingOptions
{
    /// <summary>The rollouts (route keys) whose samples are paired; every other rollout's are not.</summary>
    public required IReadOnlySet<string> Rollouts { get; init; }

    /// <summary>Sent to the stable version; null for an endpoint that needs none. Never logged.</summary>
    public string? StableApiKey { get; init; }

    public string? CanaryApiKey { get; init; }

    /// <summary>The other version's answer is stored for the report up to this many characters.</summary>
    public int MaxStoredAnswerChars { get; init; } = 8000;

    /// <summary>max_tokens for a replayed request that named none.</summary>
    public int DefaultMaxTokens { get; init; } = 1024;

    public string? ApiKeyFor(string arm) => arm == "stable" ? StableApiKey : CanaryApiKey;
}
