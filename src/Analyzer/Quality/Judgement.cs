namespace Canary.Analyzer.Quality;

/// <summary>One row of <c>quality_judgements</c>: what the judge made of one sample, and what it cost.</summary>
internal sealed record Judgement
{
    public const string RubricKind = "rubric";

    public required Guid SampleId { get; init; }

    public required string Rollout { get; init; }

    public required string Arm { get; init; }

    public required DateTimeOffset JudgedAt { get; init; }

    public required string JudgeModel { get; init; }

    public required JudgementOutcome Outcome { get; init; }

    public short? Score { get; init; }

    public bool? Passed { get; init; }

    /// <summary>The judge's one-line reason, or what went wrong for an unparseable or failed judgement.</summary>
    public required string Reason { get; init; }

    public long? InputTokens { get; init; }

    public long? OutputTokens { get; init; }

    public decimal CostUsd { get; init; }

    public static string OutcomeName(JudgementOutcome outcome) => outcome switch
    {
        JudgementOutcome.Judged => "judged",
        JudgementOutcome.Unparseable => "unparseable",
        _ => "failed",
    };
}
