using Canary.Contracts.Telemetry;

namespace Canary.Sidecar.Telemetry.Recording;

/// <summary>
/// What the recorders of the <see cref="TelemetryLayouts"/> hold in memory: the sidecar's budget of 64 MB for
/// 100 rollouts × 2 subsets, recomputed by unit tests from the layouts.
/// </summary>
/// <remarks>
/// <see cref="BytesPerArm"/> is 236,544 bytes (29,568 slots × 4 bytes × 2 phases), so 100 rollouts × 2 subsets take
/// 47,308,800 bytes (45.1 MiB). The per-core stripes add <see cref="StripeBytesPerArm"/>: 40,832 bytes at the most
/// (8 stripes), 8,166,400 bytes for those 200 arms, so 55,475,200 bytes in all, under the budget. The sidecar creates a
/// recorder on its metric's first value in an arm (<see cref="RecorderBytes"/> each), so these are the figures for arms
/// that have seen traffic; configured arms without any hold none of it.
/// </remarks>
internal static class RecorderMemory
{
    /// <summary>Bytes per slot counter of an <see cref="IntervalHistogram"/>.</summary>
    public const int CounterSize = sizeof(int);

    /// <summary>Histograms per metric per arm held by an <see cref="IntervalRecorder"/> (active and inactive).</summary>
    public const int PhasesPerRecorder = 2;

    /// <summary>
    /// Bytes of one arm's per-core stripes with <paramref name="stripes"/> stripes: each recorder's phaser epochs, and
    /// per phase its sum, min, max and clamped count per stripe plus the padding before its slot counters (each stripe
    /// and the padding take <see cref="CoreStripes.LongsPerStripe"/> longs, one leading block keeps stripe 0 off the
    /// array header).
    /// </summary>
    public static long StripeBytesPerArm(int stripes) => TelemetryNames.MetricCount * StripeBytesPerRecorder(stripes);

    /// <summary>
    /// Bytes of one metric's <see cref="IntervalRecorder"/> with <paramref name="stripes"/> stripes: its slot counters in
    /// both phases plus its share of <see cref="StripeBytesPerArm"/>. Summed over all metrics this is
    /// <see cref="BytesPerArm"/> + <see cref="StripeBytesPerArm"/>. A recorder of a comparison arm
    /// (<paramref name="userGroups"/>) adds its <see cref="UserGroupBytes"/>.
    /// </summary>
    public static long RecorderBytes(TelemetryMetric metric, int stripes, bool userGroups = false) =>
        (TelemetryLayouts.For(metric).CountsBytes(CounterSize) * PhasesPerRecorder) + StripeBytesPerRecorder(stripes)
        + (userGroups ? UserGroupBytes(metric) : 0);

    /// <summary>
    /// Bytes a comparison arm's recorder of <paramref name="metric"/> holds for its user groups, both phases: per
    /// <see cref="UserGroupSlots"/> slot a count, a sum and a clamped count (8 bytes each), and for the metrics with
    /// <see cref="UserGroups.CoarseBinCount"/> bins a 4-byte counter per bin and group, each array behind a 128-byte pad.
    /// </summary>
    public static long UserGroupBytes(TelemetryMetric metric)
    {
        var pad = CoreStripes.LongsPerStripe * sizeof(long);
        var bins = UserGroups.CoarseBinCount(metric);
        long phase = pad + (UserGroupSlots.Count * 2 * sizeof(long)) + (UserGroupSlots.Count * sizeof(long))
            + (bins == 0 ? 0 : pad + ((long)UserGroups.Count * bins * CounterSize));
        return PhasesPerRecorder * phase;
    }

    /// <summary>
    /// Bytes of a comparison arm's <see cref="UserGroupCounterRecorder"/> with <paramref name="stripes"/> stripes: per
    /// phase every counter per slot (<see cref="UserGroupCounters.Stride"/> longs a slot) and the bucket bitmap, each
    /// behind a 128-byte pad, and the phaser's epochs.
    /// </summary>
    public static long UserGroupCounterBytes(int stripes)
    {
        var pad = CoreStripes.LongsPerStripe * sizeof(long);
        long phase = pad + ((long)UserGroupSlots.Count * UserGroupCounters.Stride * sizeof(long)) + pad + (UserGroupCounters.BucketWords * sizeof(ulong));
        return (PhasesPerRecorder * phase) + ((stripes + 1) * pad);
    }

    /// <summary>
    /// Bytes a comparison arm holds for its user groups once every metric has had a value: <see cref="UserGroupBytes"/>
    /// over all metrics and <see cref="UserGroupCounterBytes"/>. Arms outside the comparison hold none of it.
    /// </summary>
    public static long UserGroupBytesPerArm(int stripes)
    {
        long bytes = UserGroupCounterBytes(stripes);
        for (var m = 0; m < TelemetryNames.MetricCount; m++)
        {
            bytes += UserGroupBytes((TelemetryMetric)m);
        }

        return bytes;
    }

    /// <summary>Slot-counter bytes of all recorders of one (rollout, subset) arm.</summary>
    public static long BytesPerArm
    {
        get
        {
            long bytes = 0;
            for (var m = 0; m < TelemetryNames.MetricCount; m++)
            {
                bytes += TelemetryLayouts.For((TelemetryMetric)m).CountsBytes(CounterSize) * PhasesPerRecorder;
            }

            return bytes;
        }
    }

    private static long StripeBytesPerRecorder(int stripes)
    {
        var block = CoreStripes.LongsPerStripe * sizeof(long);
        var phaser = (stripes + 1) * block;
        var histogram = ((stripes + 1) * block) + block;
        return phaser + (PhasesPerRecorder * histogram);
    }
}
