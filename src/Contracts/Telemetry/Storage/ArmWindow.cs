namespace Canary.Contracts.Telemetry.Storage;

/// <summary>One arm's telemetry over a window, merged exactly across sidecars and intervals.</summary>
public sealed class ArmWindow
{
    private readonly long[] _counters = new long[TelemetryNames.CounterCount];
    private readonly MergedHistogram?[] _histograms = new MergedHistogram?[TelemetryNames.MetricCount];

    public ArmWindow(string subset) => Subset = subset;

    public string Subset { get; }

    public long Counter(TelemetryCounter counter) => _counters[(int)counter];

    /// <summary>The merged histogram of a metric, or null when nothing was recorded for it in the window.</summary>
    public MergedHistogram? Histogram(TelemetryMetric metric) => _histograms[(int)metric];

    internal void AddCounter(TelemetryCounter counter, long value) => _counters[(int)counter] += value;

    internal void AddHistogram(TelemetryMetric metric, ReadOnlySpan<byte> encoded)
    {
        var histogram = _histograms[(int)metric] ??= new MergedHistogram(TelemetryLayouts.For(metric));
        histogram.Add(encoded);
    }
}
