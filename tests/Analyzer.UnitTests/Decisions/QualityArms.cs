using Canary.Analyzer.Decisions;

namespace Canary.Analyzer.UnitTests.Decisions;

/// <summary>
/// Deterministic quality evidence: judged samples with exact score counts, shuffled with a fixed seed over the users'
/// buckets (one sample per bucket, round the 32 groups), and decided pairs likewise.
/// </summary>
internal static class QualityArms
{
    /// <summary>
    /// <paramref name="scores"/>[i] samples with score i + 1; a score of 1 or 2 is a failed verdict. Pairs are the canary's
    /// wins, ties and losses of this arm's samples.
    /// </summary>
    public static ArmQuality Create(
        long[] scores,
        long judgeFailed = 0,
        long judgeUnparseable = 0,
        (long Wins, long Ties, long Losses) pairs = default,
        long pairsFailed = 0,
        long pairsUnparseable = 0,
        int seed = 1)
    {
        var tally = new ArmQualityTally();
        var all = new List<int>();
        for (var s = 0; s < scores.Length; s++)
        {
            for (var i = 0; i < scores[s]; i++)
            {
                all.Add(s + 1);
            }
        }

        Shuffle(all, seed);
        for (var i = 0; i < all.Count; i++)
        {
            tally.AddJudged(i, all[i], all[i] >= 3);
        }

        tally.AddUnusableJudgement(false, judgeFailed);
        tally.AddUnusableJudgement(true, judgeUnparseable);
        var results = new List<string>();
        results.AddRange(Enumerable.Repeat("win", (int)pairs.Wins));
        results.AddRange(Enumerable.Repeat("tie", (int)pairs.Ties));
        results.AddRange(Enumerable.Repeat("loss", (int)pairs.Losses));
        Shuffle(results, seed + 1);
        for (var i = 0; i < results.Count; i++)
        {
            tally.AddPair(i, results[i]);
        }

        tally.AddUndecidedPair("failed", pairsFailed);
        tally.AddUndecidedPair("unparseable", pairsUnparseable);
        return tally.Build();
    }

    /// <summary><paramref name="n"/> judged samples with the given shares of scores 1 to 5.</summary>
    public static long[] Scores(long n, params double[] shares)
    {
        var counts = new long[5];
        long assigned = 0;
        for (var i = 0; i < 4; i++)
        {
            counts[i] = (long)Math.Round(n * shares[i]);
            assigned += counts[i];
        }

        counts[4] = n - assigned;
        return counts;
    }

    private static void Shuffle<T>(List<T> items, int seed)
    {
        var random = new Random(seed);
        for (var i = items.Count - 1; i > 0; i--)
        {
            var j = random.Next(i + 1);
            (items[i], items[j]) = (items[j], items[i]);
        }
    }
}
