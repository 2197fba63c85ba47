namespace Canary.Analyzer.Quality;

/// <summary>
/// One judge call after its retries: the judge's reply text and usage, or why there is none (after how many attempts).
/// A reply is returned whatever its text; whether it is a verdict is <see cref="JudgeVerdictParser"/>'s to say.
/// </summary>
internal sealed record JudgeCallResult
{
    public string? Reply { get; init; }

    public long? InputTokens { get; init; }

    public long? OutputTokens { get; init; }

    public string? Failure { get; init; }

    public int Attempts { get; init; }

    public static JudgeCallResult Failed(string failure, int attempts) => new() { Failure = failure, Attempts = attempts };
}
