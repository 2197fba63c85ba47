namespace Canary.Contracts.Telemetry;

/// <summary>
/// The histogram layout of each <see cref="TelemetryMetric"/>: the writer records with it and the reader merges with
/// it, so changing one makes old and new intervals unmergeable (the codec rejects the mix).
/// </summary>
/// <remarks>
/// All at 2 significant digits (slots at most 1/128 ≈ 0.8 % wide). Ranges: durations up to 1 h, header and first-token
/// times up to 10 min, time per token up to 10 s, token counts up to 10^7, cost up to 10^9 micro-USD (USD 1000) per
/// request, response bytes up to 1 GiB. Memory: <see cref="BytesPerArm"/> is 236,544 bytes (29,568 slots × 4 bytes
/// × 2 phases), so 100 rollouts × 2 subsets take 47,308,800 bytes (45.1 MiB). The per-core stripes add
/// <see cref="StripeBytesPerArm"/>: 40,832 bytes at the most (8 stripes), 8,166,400 bytes for those 200 arms, so
/// 55,475,200 bytes in all, under the 64 MB budget. The sidecar creates a recorder on its metric's first value in an
/// arm (<see cref="RecorderBytes"/> each), so these are the figures for arms that have seen traffic; configured arms
/// without any hold none of it.
/// </remarks>
public static class TelemetryLayouts
{
    public const int SignificantDigits = 2;

    /// <summary>Bytes per slot counter of an <see cref="IntervalHistogram"/>.</summary>
    public const int CounterSize = sizeof(int);

    /// <summary>Histograms per metric per arm held by an <see cref="IntervalRecorder"/> (active and inactive).</summary>
    public const int PhasesPerRecorder = 2;

    private static readonly HistogramLayout[] Layouts =
    [
        new(3_600_000_000, SignificantDigits),
        new(600_000_000, SignificantDigits),
        new(600_000_000, SignificantDigits),
        new(10_000_000, SignificantDigits),
        new(10_000_000, SignificantDigits),
        new(10_000_000, SignificantDigits),
        new(10_000_000, SignificantDigits),
        new(10_000_000, SignificantDigits),
        new(10_000_000, SignificantDigits),
        new(1_000_000_000, SignificantDigits),
        new(1L << 30, SignificantDigits),
    ];

    public static HistogramLayout For(TelemetryMetric metric) => Layouts[(int)metric];

    /// <summary>
    /// Bytes of one arm's per-core stripes with <paramref name="stripes"/> stripes: each recorder's phaser epochs, and
    /// per phase its sum, min, max and clamped count per stripe plus the padding before its slot counters (each stripe
    /// and the padding take <see cref="CoreStripes.LongsPerStripe"/> longs, one leading block keeps stripe 0 off the
    /// array header).
    /// </summary>
    public static long StripeBytesPerArm(int stripes)
    {
        var block = CoreStripes.LongsPerStripe * sizeof(long);
        var phaser = (stripes + 1) * block;
        var histogram = ((stripes + 1) * block) + block;
        return Layouts.Length * (phaser + (PhasesPerRecorder * histogram));
    }

    /// <summary>
    /// Bytes of one metric's <see cref="IntervalRecorder"/> with <paramref name="stripes"/> stripes: its slot counters in
    /// both phases plus its share of <see cref="StripeBytesPerArm"/>. Summed over all metrics this is
    /// <see cref="BytesPerArm"/> + <see cref="StripeBytesPerArm"/>.
    /// </summary>
    public static long RecorderBytes(TelemetryMetric metric, int stripes)
    {
        var block = CoreStripes.LongsPerStripe * sizeof(long);
        var phaser = (stripes + 1) * block;
        var histogram = ((stripes + 1) * block) + block;
        return (For(metric).CountsBytes(CounterSize) * PhasesPerRecorder) + phaser + (PhasesPerRecorder * histogram);
    }

    /// <summary>Slot-counter bytes of all recorders of one (rollout, subset) arm.</summary>
    public static long BytesPerArm
    {
        get
        {
            long bytes = 0;
            foreach (var layout in Layouts)
            {
                bytes += layout.CountsBytes(CounterSize) * PhasesPerRecorder;
            }

            return bytes;
        }
    }
}
