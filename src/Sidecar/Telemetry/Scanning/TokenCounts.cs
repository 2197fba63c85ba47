namespace Canary.Sidecar.Telemetry.Scanning;

/// <summary>Raw token counts by reported name; a later report of a count replaces an earlier one.</summary>
internal struct TokenCounts
{
    public long? Prompt;
    public long? Completion;
    public long? Input;
    public long? Output;
    public long? CacheRead;
    public long? CacheCreation;
    public long? Cached;
    public long? Reasoning;

    public void Set(TokenKind kind, long value)
    {
        switch (kind)
        {
            case TokenKind.Prompt:
                Prompt = value;
                break;
            case TokenKind.Completion:
                Completion = value;
                break;
            case TokenKind.Input:
                Input = value;
                break;
            case TokenKind.Output:
                Output = value;
                break;
            case TokenKind.CacheRead:
                CacheRead = value;
                break;
            case TokenKind.CacheCreation:
                CacheCreation = value;
                break;
            case TokenKind.Cached:
                Cached = value;
                break;
            case TokenKind.Reasoning:
                Reasoning = value;
                break;
        }
    }

    /// <summary>Takes every count <paramref name="later"/> reported: streams repeat counts cumulatively, last wins.</summary>
    public void MergeFrom(in TokenCounts later)
    {
        Prompt = later.Prompt ?? Prompt;
        Completion = later.Completion ?? Completion;
        Input = later.Input ?? Input;
        Output = later.Output ?? Output;
        CacheRead = later.CacheRead ?? CacheRead;
        CacheCreation = later.CacheCreation ?? CacheCreation;
        Cached = later.Cached ?? Cached;
        Reasoning = later.Reasoning ?? Reasoning;
    }
}
