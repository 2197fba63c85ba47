namespace Canary.Contracts.Telemetry;

/// <summary>
/// The partition of users into replicate groups that user-level inference runs on. A user's sticky bucket
/// (<c>XxHash3-64(salt ‖ user key) mod 10 000</c>) decides their arm; <c>bucket mod 32</c> decides their group, so every
/// user is in exactly one group of their arm and every group of an arm holds the same number of buckets (±1) at any
/// weight of 32 basis points or more. Users are independent, so groups are too: the analyzer treats the groups of an
/// arm as its independent units (delete-a-group jackknife), which stays valid however a few heavy users skew the
/// request counts. Part of the schema contract between the sidecar and the analyzer.
/// </summary>
public static class UserGroups
{
    /// <summary>Buckets of the sticky hash: weights are in basis points of this space.</summary>
    public const int BucketCount = 10_000;

    /// <summary>
    /// Groups per arm. 32 keeps 31 degrees of freedom for the between-group variance at a memory cost the sidecar can
    /// carry per arm; more groups buy little once heavy users, not group counts, limit the effective number of units.
    /// </summary>
    public const int Count = 32;

    /// <summary>The group of a bucket in [0, <see cref="BucketCount"/>).</summary>
    public static int Of(int bucket) => bucket % Count;

    /// <summary>
    /// Coarse bins each group keeps for a metric (<see cref="CoarseBins"/> up to the metric's highest trackable value), or 0
    /// for a metric whose groups keep only their value count and sum: per-group histograms are kept for the metrics that
    /// quantile guards judge (latency, time to first token, time per output token, output tokens).
    /// </summary>
    public static int CoarseBinCount(TelemetryMetric metric) => metric switch
    {
        TelemetryMetric.DurationUs or TelemetryMetric.TimeToFirstTokenUs or TelemetryMetric.TimePerOutputTokenUs or TelemetryMetric.OutputTokens =>
            CoarseBins.CountFor(TelemetryLayouts.For(metric).HighestTrackableValue),
        _ => 0,
    };
}
