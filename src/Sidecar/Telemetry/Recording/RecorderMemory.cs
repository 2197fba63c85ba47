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
    /// <see cref="BytesPerArm"/> + <see cref="StripeBytesPerArm"/>.
    /// </summary>
    public static long RecorderBytes(TelemetryMetric metric, int stripes) =>
        (TelemetryLayouts.For(metric).CountsBytes(CounterSize) * PhasesPerRecorder) + StripeBytesPerRecorder(stripes);

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
