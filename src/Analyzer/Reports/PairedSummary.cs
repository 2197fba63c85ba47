namespace Canary.Analyzer.Reports;

/// <summary>
/// The paired comparisons over the report's window, from the canary's side: decided prompts by result, and how many of
/// them the judge gave the same verdict in both orders. Order consistency is the judge's own reliability: a judge that
/// prefers whichever answer it reads first turns every prompt into a tie.
/// </summary>
internal sealed record PairedSummary(long Wins, long Ties, long Losses, long OrderConsistent, long Unparseable, long OtherFailed, long JudgeFailed)
{
    public long Decided => Wins + Ties + Losses;

    /// <summary>Share of decided prompts whose two orders agreed; NaN when none was decided.</summary>
    public double OrderConsistency => Decided > 0 ? OrderConsistent / (double)Decided : double.NaN;
}
