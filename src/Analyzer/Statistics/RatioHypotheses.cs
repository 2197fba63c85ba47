namespace Canary.Analyzer.Statistics;

/// <summary>
/// What a canary/stable ratio comparison tests: the non-inferiority margin (e.g. 1.5 for "+50 %"), an optional
/// "clearly better" ratio (e.g. 0.8), the mixture spread τ on the log-ratio scale and the level of the reported interval.
/// </summary>
internal readonly record struct RatioHypotheses(double MarginRatio, double? BetterRatio, double Tau, double IntervalAlpha)
{
    /// <summary>τ = |ln(margin)|: the mixture is tuned to effects the size of the margin.</summary>
    public static RatioHypotheses ForMargin(double marginRatio, double? betterRatio, double intervalAlpha) =>
        new(marginRatio, betterRatio, Math.Abs(Math.Log(marginRatio)), intervalAlpha);
}
