namespace Canary.Analyzer.Preflight;

/// <summary>The outcome of asking one version one case: an answer, or why there is none, and how many attempts it took.</summary>
internal sealed record CallResult
{
    public ModelAnswer? Answer { get; init; }

    public CallFailureKind? Failure { get; init; }

    public string? FailureMessage { get; init; }

    public int Attempts { get; init; }

    public static CallResult Failed(CallFailureKind kind, string message, int attempts) =>
        new() { Failure = kind, FailureMessage = message, Attempts = attempts };
}
