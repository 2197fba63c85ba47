using Canary.Analyzer.Quality;

namespace Canary.Analyzer.Reports;

/// <summary>
/// One arm's quality samples over the report's window and what the judge made of them: the rubric scores' counts
/// (index 0 is score 1), passes, and the samples the judge could not score (unparseable answers, calls that failed) or
/// has not reached yet.
/// </summary>
internal sealed record QualityArmScores(string Arm, long Samples, IReadOnlyList<long> ScoreCounts, long Passed, long Unparseable, long JudgeFailed)
{
    public long Judged => RubricScoreCounts.Judged(ScoreCounts);

    public long Unjudged => Samples - Judged - Unparseable - JudgeFailed;

    /// <summary>Mean rubric score; NaN when nothing was judged.</summary>
    public double MeanScore => RubricScoreCounts.Mean(ScoreCounts);
}
