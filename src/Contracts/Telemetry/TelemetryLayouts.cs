namespace Canary.Contracts.Telemetry;

/// <summary>
/// The histogram layout of each <see cref="TelemetryMetric"/>: the writer records with it and the reader merges with
/// it, so changing one makes old and new intervals unmergeable (the codec rejects the mix).
/// </summary>
/// <remarks>
/// All at 2 significant digits (slots at most 1/128 ≈ 0.8 % wide). Ranges: durations up to 1 h, header and first-token
/// times up to 10 min, time per token up to 10 s, token counts up to 10^7, cost up to 10^9 micro-USD (USD 1000) per
/// request, response bytes up to 1 GiB. What the sidecar's recorders hold in memory for these layouts is its own
/// business (<c>RecorderMemory</c> in <c>src/Sidecar/Telemetry/Recording</c>).
/// </remarks>
public static class TelemetryLayouts
{
    public const int SignificantDigits = 2;

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
}
