namespace Canary.Analyzer.Decisions;

/// <summary>
/// What the judge gave a quality guard over the window, both arms together: the judgements (or paired comparisons) it
/// was asked for, those that failed or were unparseable, and for the paired guard the canary's wins, ties and losses.
/// </summary>
internal sealed record QualityGuardCounts(
    long Attempted,
    long Failed,
    long Unparseable,
    long? Wins = null,
    long? Ties = null,
    long? Losses = null)
{
    public long Unusable => Failed + Unparseable;

    /// <summary>
    /// The judge is unavailable when more than half of what it was asked in the window is unusable (failed or
    /// unparseable): then, and with nothing usable at all, its verdicts are not evidence either way.
    /// </summary>
    public bool JudgeUnavailable => Attempted > 0 && 2 * Unusable > Attempted;
}
