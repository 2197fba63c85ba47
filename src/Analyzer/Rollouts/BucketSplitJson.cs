namespace Canary.Analyzer.Rollouts;

/// <summary>
/// The split check on the users' sticky buckets in the audit record: buckets that sent requests in each arm, the
/// canary's share of them against the configured share, the always-valid p-value, and buckets seen on the wrong side.
/// </summary>
internal sealed record BucketSplitJson(
    int OccupiedCanary,
    int OccupiedStable,
    JsonFigure ObservedShare,
    double ExpectedShare,
    JsonFigure PValue,
    int Misassigned);
