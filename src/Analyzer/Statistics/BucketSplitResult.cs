namespace Canary.Analyzer.Statistics;

/// <summary>
/// The bucket split of a look: buckets with traffic in each arm, the canary's share of them against the configured one,
/// and ln R of the sequential test (a mismatch once ln R ≥ ln(1/α); exp(−ln R) is its always-valid p-value).
/// </summary>
internal readonly record struct BucketSplitResult(int OccupiedCanary, int OccupiedStable, double ObservedShare, double ExpectedShare, double LogEvidence)
{
    public double PValue => RatioEvidence.PValue(LogEvidence);
}
