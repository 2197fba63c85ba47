namespace Canary.Analyzer.Statistics;

/// <summary>
/// Likelihood-ratio (G) test that two arms share one categorical distribution, e.g. the finish-reason mix of canary and
/// stable responses: G = 2 Σ O·ln(O / E) over the 2 × k table, with E the expected count under a common distribution,
/// asymptotically chi-square with k − 1 degrees of freedom (Wilks). Categories empty in both arms are left out.
/// </summary>
/// <remarks>
/// A fixed-sample test: its p-value is valid at one look only, so it is reported, not gated on. The gate on the mix is
/// a rate guard on one share (e.g. "length" truncations), which is sequential and always valid.
/// </remarks>
internal static class HomogeneityGTest
{
    public static GTestResult Evaluate(ReadOnlySpan<long> canary, ReadOnlySpan<long> stable)
    {
        if (canary.Length != stable.Length)
        {
            throw new ArgumentException("Both arms need the same categories.", nameof(stable));
        }

        double canaryTotal = 0;
        double stableTotal = 0;
        var categories = 0;
        for (var i = 0; i < canary.Length; i++)
        {
            if (canary[i] < 0 || stable[i] < 0)
            {
                throw new ArgumentOutOfRangeException(nameof(canary), "Counts must not be negative.");
            }

            canaryTotal += canary[i];
            stableTotal += stable[i];
            if (canary[i] + stable[i] > 0)
            {
                categories++;
            }
        }

        if (canaryTotal == 0 || stableTotal == 0 || categories < 2)
        {
            return new GTestResult(0, Math.Max(0, categories - 1), 1);
        }

        var total = canaryTotal + stableTotal;
        double g = 0;
        for (var i = 0; i < canary.Length; i++)
        {
            var column = (double)canary[i] + stable[i];
            g += Term(canary[i], canaryTotal * column / total) + Term(stable[i], stableTotal * column / total);
        }

        g = Math.Max(0, 2 * g);
        var df = categories - 1;
        return new GTestResult(g, df, ChiSquared.Survival(g, df));
    }

    // O·ln(O/E) → 0 as O → 0.
    private static double Term(long observed, double expected) => observed == 0 ? 0 : observed * Math.Log(observed / expected);
}
