namespace Canary.Analyzer.Preflight;

/// <summary>
/// How well the judge agrees with the test set: each answered case with expectations was also graded by the judge
/// with the rubric, and the judge's pass compared with the case's own pass (its expectations, as checked by
/// <see cref="ExpectationChecker"/>). Stored in the preflight record, so a rollout's judge-based guards can be read
/// against how far the judge is to be trusted.
/// </summary>
internal sealed record JudgeCalibration
{
    public required string JudgeModel { get; init; }

    /// <summary>Cases (of both versions) the judge gave a verdict on.</summary>
    public int Total { get; init; }

    public int Agreed { get; init; }

    /// <summary>Cases sent to the judge without a verdict back (failed or unparseable), or not sent (the daily spend cap).</summary>
    public int Unjudged { get; init; }

    /// <summary>Why the last unjudged case has no verdict.</summary>
    public string? LastProblem { get; init; }

    public decimal CostUsd { get; init; }

    /// <summary>Stable's first, then the canary's, each in test-set order.</summary>
    public IReadOnlyList<CalibrationDisagreement> Disagreements { get; init; } = [];

    public double? AgreementRate => Total == 0 ? null : (double)Agreed / Total;
}
