namespace Canary.Analyzer.Preflight;

/// <summary>One version's result on one case: the call, and when it answered, the failed expectations and refusal.</summary>
internal sealed record CaseResult
{
    public required TestCase Case { get; init; }

    public required CallResult Call { get; init; }

    public IReadOnlyList<string> Failures { get; init; } = [];

    public bool Refused { get; init; }

    /// <summary>US dollars, when the version is priced and the answer reported its tokens.</summary>
    public double? Cost { get; init; }

    public bool Completed => Call.Answer is not null;

    public bool Passed => Completed && Failures.Count == 0;
}
