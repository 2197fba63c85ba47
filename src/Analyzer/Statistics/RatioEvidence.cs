namespace Canary.Analyzer.Statistics;

/// <summary>
/// Result of a canary/stable comparison on the ratio scale: the two arm estimates, their ratio, an always-valid interval
/// for the ratio and the log mixture likelihood ratios (ln Λ) of the four one-sided hypotheses the decisions use.
/// A hypothesis is rejected at level α once ln Λ ≥ ln(1/α); exp(−max ln Λ) over the looks is its always-valid p-value.
/// </summary>
internal readonly record struct RatioEvidence(
    double CanaryValue,
    double StableValue,
    double Ratio,
    double LowerBound,
    double UpperBound,
    double LogEvidenceWorseThanStable,
    double LogEvidenceWorseThanMargin,
    double LogEvidenceWithinMargin,
    double LogEvidenceClearlyBetter)
{
    /// <summary>Converts a log evidence to an always-valid p-value (capped at 1).</summary>
    public static double PValue(double logEvidence) => logEvidence <= 0 ? 1 : Math.Exp(-logEvidence);
}
