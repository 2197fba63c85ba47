namespace Canary.Analyzer.Statistics;

/// <summary>
/// How much clustering by user inflates the variance of an arm's estimate: the user-level (between-group) variance over
/// the variance the same estimate would have if its requests were independent, floored at 1.
/// </summary>
/// <remarks>
/// The floor keeps every test at least as wide as its request-level form: a between-group variance below the independent
/// one only arises by chance with few events (say 3 errors over 32 groups), and trusting it there would make the test
/// liberal exactly where it has least information. With users as independent units, heavy users, per-user error or
/// latency habits and uneven group sizes all show up as a design effect above 1 (Kish 1965, "Survey Sampling"; Kohavi,
/// Tang and Xu 2020, ch. 18).
/// </remarks>
internal static class DesignEffect
{
    /// <summary>Design effect of a proportion (events over trials) from its groups; 1 without events or groups.</summary>
    public static double ForProportion(GroupedRatio events)
    {
        var n = events.Denominator;
        var p = events.Ratio;
        if (!(n > 0) || !(p > 0) || !(p < 1))
        {
            return 1;
        }

        var independent = p * (1 - p) / n;
        return Ratio(events.JackknifeVariance(), independent);
    }

    /// <summary>The between-group variance over the independent one, floored at 1; +∞ when groups cannot give a variance.</summary>
    public static double Ratio(double clusteredVariance, double independentVariance)
    {
        if (double.IsPositiveInfinity(clusteredVariance))
        {
            return double.PositiveInfinity;
        }

        if (!(independentVariance > 0) || !(clusteredVariance > independentVariance))
        {
            return 1;
        }

        return clusteredVariance / independentVariance;
    }
}
