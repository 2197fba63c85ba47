using Canary.Contracts.Telemetry;

namespace Canary.Analyzer.Decisions;

/// <summary>Adds up one arm's judgements and paired comparisons, each with its sample's sticky bucket, into an <see cref="ArmQuality"/>.</summary>
internal sealed class ArmQualityTally
{
    private readonly long[] _scores = new long[5];
    private readonly double[] _judged = new double[UserGroups.Count];
    private readonly double[] _scoreSums = new double[UserGroups.Count];
    private readonly double[] _fails = new double[UserGroups.Count];
    private readonly double[] _decided = new double[UserGroups.Count];
    private readonly double[] _losses = new double[UserGroups.Count];
    private long _failCount;
    private long _judgeFailed;
    private long _judgeUnparseable;
    private long _wins;
    private long _ties;
    private long _lossCount;
    private long _pairsFailed;
    private long _pairsUnparseable;
    private long _pairsOtherFailed;

    /// <summary>Adds <paramref name="count"/> judged samples of one score (1–5) and verdict from <paramref name="bucket"/>'s users.</summary>
    public void AddJudged(int bucket, int score, bool passed, long count = 1)
    {
        if (score is < 1 or > 5)
        {
            throw new ArgumentOutOfRangeException(nameof(score), score, "Rubric scores are 1 to 5.");
        }

        var g = Group(bucket);
        _scores[score - 1] += count;
        _judged[g] += count;
        _scoreSums[g] += score * (double)count;
        if (!passed)
        {
            _failCount += count;
            _fails[g] += count;
        }
    }

    /// <summary>Adds judgements the judge did not answer (<paramref name="unparseable"/> false) or answered with no verdict.</summary>
    public void AddUnusableJudgement(bool unparseable, long count = 1)
    {
        if (unparseable)
        {
            _judgeUnparseable += count;
        }
        else
        {
            _judgeFailed += count;
        }
    }

    /// <summary>Adds decided or tied pairs: <paramref name="result"/> is the canary's "win", "tie" or "loss".</summary>
    public void AddPair(int bucket, string result, long count = 1)
    {
        var g = Group(bucket);
        switch (result)
        {
            case "win":
                _wins += count;
                _decided[g] += count;
                break;
            case "loss":
                _lossCount += count;
                _decided[g] += count;
                _losses[g] += count;
                break;
            case "tie":
                _ties += count;
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(result), result, "A pair's result is win, tie or loss.");
        }
    }

    /// <summary>Adds pairs without a result: outcome 'failed', 'unparseable' or 'other_failed'.</summary>
    public void AddUndecidedPair(string outcome, long count = 1)
    {
        switch (outcome)
        {
            case "failed":
                _pairsFailed += count;
                break;
            case "unparseable":
                _pairsUnparseable += count;
                break;
            case "other_failed":
                _pairsOtherFailed += count;
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(outcome), outcome, "Not an undecided pair outcome.");
        }
    }

    public ArmQuality Build() => new()
    {
        ScoreCounts = (long[])_scores.Clone(),
        Fails = _failCount,
        JudgeFailed = _judgeFailed,
        JudgeUnparseable = _judgeUnparseable,
        JudgedByGroup = (double[])_judged.Clone(),
        ScoreSumByGroup = (double[])_scoreSums.Clone(),
        FailsByGroup = (double[])_fails.Clone(),
        Wins = _wins,
        Ties = _ties,
        Losses = _lossCount,
        PairsFailed = _pairsFailed,
        PairsUnparseable = _pairsUnparseable,
        PairsOtherFailed = _pairsOtherFailed,
        DecidedByGroup = (double[])_decided.Clone(),
        LossesByGroup = (double[])_losses.Clone(),
    };

    // Buckets are in [0, 10 000); a negative one (never written by the sidecar) still lands in a group.
    private static int Group(int bucket) => UserGroups.Of(Math.Abs(bucket % UserGroups.BucketCount));
}
