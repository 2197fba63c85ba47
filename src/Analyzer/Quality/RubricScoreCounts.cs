namespace Canary.Analyzer.Quality;

/// <summary>Figures of judged samples counted per rubric score (index score − 1, scores 1 to 5).</summary>
internal static class RubricScoreCounts
{
    public static long Judged(IReadOnlyList<long> counts)
    {
        long judged = 0;
        foreach (var count in counts)
        {
            judged += count;
        }

        return judged;
    }

    public static double Sum(IReadOnlyList<long> counts)
    {
        double sum = 0;
        for (var i = 0; i < counts.Count; i++)
        {
            sum += (i + 1) * (double)counts[i];
        }

        return sum;
    }

    /// <summary>Mean score; NaN when nothing was judged.</summary>
    public static double Mean(IReadOnlyList<long> counts)
    {
        var judged = Judged(counts);
        return judged > 0 ? Sum(counts) / judged : double.NaN;
    }
}
