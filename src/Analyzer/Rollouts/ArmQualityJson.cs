namespace Canary.Analyzer.Rollouts;

/// <summary>
/// One arm's quality evidence in a decision record (rollouts with a quality guard only): the judge's rubric verdicts of
/// the arm's samples in the window (judged, mean score, failed verdicts, judge calls that failed or were unparseable)
/// and the paired comparisons made from them, from the canary's view.
/// </summary>
internal sealed record ArmQualityJson
{
    public long Judged { get; init; }

    /// <summary>Mean rubric score (1–5); null without judged samples.</summary>
    public JsonFigure ScoreMean { get; init; }

    /// <summary>Judged samples per score 1 to 5.</summary>
    public required IReadOnlyList<long> Scores { get; init; }

    /// <summary>Judged samples the judge failed (passed = false).</summary>
    public long Fails { get; init; }

    public long JudgeFailed { get; init; }

    public long JudgeUnparseable { get; init; }

    public long PairWins { get; init; }

    public long PairTies { get; init; }

    public long PairLosses { get; init; }

    public long PairsFailed { get; init; }

    public long PairsUnparseable { get; init; }

    public long PairsOtherFailed { get; init; }
}
