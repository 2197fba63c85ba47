namespace Canary.Analyzer.Statistics;

/// <summary>
/// Builds <see cref="RatioEvidence"/> from an asymptotically normal estimate of ln(canary/stable) and its variance,
/// using the normal mixture sequential test for every hypothesis.
/// </summary>
internal static class LogRatioTest
{
    // A ratio estimate cannot be more precise than the histogram resolution; this keeps V > 0 for degenerate inputs.
    private const double MinimumVariance = 1e-12;

    public static RatioEvidence FromLogRatio(double canaryValue, double stableValue, double variance, RatioHypotheses hypotheses)
    {
        var logRatio = Math.Log(canaryValue) - Math.Log(stableValue);
        var v = Math.Max(variance, MinimumVariance);
        var halfWidth = NormalMixtureTest.HalfWidth(v, hypotheses.Tau, hypotheses.IntervalAlpha);
        var logMargin = Math.Log(hypotheses.MarginRatio);
        var better = hypotheses.BetterRatio is { } betterRatio
            ? NormalMixtureTest.LogEvidence(logRatio, v, Math.Log(betterRatio), Alternative.Less, hypotheses.Tau)
            : double.NaN;
        return new RatioEvidence(
            canaryValue,
            stableValue,
            Math.Exp(logRatio),
            Math.Exp(logRatio - halfWidth),
            Math.Exp(logRatio + halfWidth),
            NormalMixtureTest.LogEvidence(logRatio, v, 0, Alternative.Greater, hypotheses.Tau),
            NormalMixtureTest.LogEvidence(logRatio, v, logMargin, Alternative.Greater, hypotheses.Tau),
            NormalMixtureTest.LogEvidence(logRatio, v, logMargin, Alternative.Less, hypotheses.Tau),
            better);
    }
}
