namespace Canary.Analyzer.Preflight;

/// <summary>
/// The outcome of asking one version one case: an answer, or why there is none, how many attempts it took and how long
/// it waited between them.
/// </summary>
internal sealed record CallResult
{
    public ModelAnswer? Answer { get; init; }

    public CallFailureKind? Failure { get; init; }

    public string? FailureMessage { get; init; }

    public int Attempts { get; init; }

    /// <summary>
    /// Time spent waiting between attempts (a 429's Retry-After, the back-off after a 5xx, a reset or a timeout). It is
    /// reported beside the answer and never part of <see cref="ModelAnswer.Latency"/>, which is the answering attempt's.
    /// </summary>
    public TimeSpan RetryWait { get; init; }

    public static CallResult Failed(CallFailureKind kind, string message, int attempts) =>
        new() { Failure = kind, FailureMessage = message, Attempts = attempts };
}
