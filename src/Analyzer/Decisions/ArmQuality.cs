using Canary.Analyzer.Quality;
using Canary.Contracts.Telemetry;

namespace Canary.Analyzer.Decisions;

/// <summary>
/// One arm's quality evidence over the analysis window: the judge's rubric verdicts on the arm's quality samples and the
/// paired comparisons made from them (each pair's result is the canary's: win, tie or loss), in total and per user group
/// (the sample's sticky bucket mod <see cref="UserGroups.Count"/>, as the telemetry groups users). Only loaded for
/// rollouts with a quality guard. Build one with <see cref="ArmQualityTally"/>.
/// </summary>
internal sealed record ArmQuality
{
    /// <summary>Judged samples per rubric score, index score − 1 (scores 1 to 5).</summary>
    public required long[] ScoreCounts { get; init; }

    /// <summary>Judged samples the judge failed (passed = false).</summary>
    public long Fails { get; init; }

    /// <summary>Judgements that got no answer from the judge after the call's retries ('failed').</summary>
    public long JudgeFailed { get; init; }

    /// <summary>Judgements whose answer was not a verdict ('unparseable').</summary>
    public long JudgeUnparseable { get; init; }

    /// <summary>Judged samples per user group.</summary>
    public required double[] JudgedByGroup { get; init; }

    /// <summary>Sum of the scores per user group.</summary>
    public required double[] ScoreSumByGroup { get; init; }

    /// <summary>Failed verdicts per user group.</summary>
    public required double[] FailsByGroup { get; init; }

    /// <summary>Paired comparisons of this arm's samples the canary won (both orders agreed).</summary>
    public long Wins { get; init; }

    /// <summary>Order-dependent or tied paired comparisons.</summary>
    public long Ties { get; init; }

    public long Losses { get; init; }

    /// <summary>Paired comparisons the judge did not answer ('failed').</summary>
    public long PairsFailed { get; init; }

    /// <summary>Paired comparisons the judge answered with no verdict ('unparseable').</summary>
    public long PairsUnparseable { get; init; }

    /// <summary>Paired comparisons without the other version's answer ('other_failed'): not the judge's fault.</summary>
    public long PairsOtherFailed { get; init; }

    /// <summary>Decided pairs (wins + losses) per user group.</summary>
    public required double[] DecidedByGroup { get; init; }

    /// <summary>Lost pairs per user group.</summary>
    public required double[] LossesByGroup { get; init; }

    public long Judged => RubricScoreCounts.Judged(ScoreCounts);

    public double ScoreSum => RubricScoreCounts.Sum(ScoreCounts);

    /// <summary>Mean score of the judged samples; NaN without any.</summary>
    public double ScoreMean => RubricScoreCounts.Mean(ScoreCounts);

    /// <summary>Sample variance of the scores (n − 1); NaN with fewer than two.</summary>
    public double ScoreVariance
    {
        get
        {
            var n = Judged;
            if (n < 2)
            {
                return double.NaN;
            }

            var mean = ScoreMean;
            double squares = 0;
            for (var i = 0; i < ScoreCounts.Length; i++)
            {
                var d = i + 1 - mean;
                squares += d * d * ScoreCounts[i];
            }

            return squares / (n - 1);
        }
    }

    /// <summary>Rubric judgements attempted in the window: judged, failed or unparseable.</summary>
    public long JudgementsAttempted => Judged + JudgeFailed + JudgeUnparseable;

    /// <summary>Wins plus losses: the pairs the loss share is computed over.</summary>
    public long Decided => Wins + Losses;

    /// <summary>Paired comparisons the judge was asked to make: decided, tied, failed or unparseable (not 'other_failed').</summary>
    public long PairsAttempted => Wins + Ties + Losses + PairsFailed + PairsUnparseable;

    public static ArmQuality Empty => new ArmQualityTally().Build();
}
