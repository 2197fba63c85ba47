namespace Canary.Contracts.Telemetry.Storage;

/// <summary>
/// One arm's telemetry over a window, merged exactly across sidecars and intervals: counters, histograms, and when the
/// rows carry them, the per-user-group totals and the set of sticky buckets that sent requests.
/// </summary>
public sealed class ArmWindow
{
    private readonly long[] _counters = new long[TelemetryNames.CounterCount];
    private readonly MergedHistogram?[] _histograms = new MergedHistogram?[TelemetryNames.MetricCount];
    private readonly long[]?[] _groupCounters = new long[]?[TelemetryNames.CounterCount];
    private readonly GroupHistogramTotals?[] _groupHistograms = new GroupHistogramTotals?[TelemetryNames.MetricCount];
    private long _rowsWithGroups;
    private long _rowsWithoutGroups;

    public ArmWindow(string subset) => Subset = subset;

    public string Subset { get; }

    /// <summary>
    /// True when every row merged into this arm carried per-group values, so the group totals add up to the arm's totals.
    /// One row without them (an older sidecar, an off-comparison arm) makes them partial, and then they are not offered.
    /// </summary>
    public bool HasGroups => _rowsWithGroups > 0 && _rowsWithoutGroups == 0;

    /// <summary>The sticky buckets that sent requests to this arm in the window; null when no row carried a bucket set.</summary>
    public BucketSet? Buckets { get; private set; }

    public long Counter(TelemetryCounter counter) => _counters[(int)counter];

    /// <summary>The merged histogram of a metric, or null when nothing was recorded for it in the window.</summary>
    public MergedHistogram? Histogram(TelemetryMetric metric) => _histograms[(int)metric];

    /// <summary>A counter per user group (zeros when it never counted), or null without <see cref="HasGroups"/>.</summary>
    public ReadOnlySpan<long> GroupCounter(TelemetryCounter counter) =>
        !HasGroups ? default : _groupCounters[(int)counter] ?? new long[UserGroups.Count];

    /// <summary>A metric's per-group totals, or null without <see cref="HasGroups"/> or without values.</summary>
    public GroupHistogramTotals? GroupHistogram(TelemetryMetric metric) => HasGroups ? _groupHistograms[(int)metric] : null;

    internal void AddCounter(TelemetryCounter counter, CounterSum sum)
    {
        _counters[(int)counter] += sum.Sum;
        _rowsWithGroups += sum.RowsWithGroups;
        _rowsWithoutGroups += sum.Rows - sum.RowsWithGroups;
        if (sum.Groups.Count > 0)
        {
            var groups = _groupCounters[(int)counter] ??= new long[UserGroups.Count];
            foreach (var encoded in sum.Groups)
            {
                UserGroupCodec.AddCounts(encoded, groups);
            }
        }

        foreach (var encoded in sum.Buckets)
        {
            (Buckets ??= new BucketSet()).Add(encoded);
        }
    }

    internal void AddHistogram(TelemetryMetric metric, ReadOnlySpan<byte> encoded, ReadOnlySpan<byte> groups = default)
    {
        var histogram = _histograms[(int)metric] ??= new MergedHistogram(TelemetryLayouts.For(metric));
        histogram.Add(encoded);
        if (groups.IsEmpty)
        {
            _rowsWithoutGroups++;
            return;
        }

        _rowsWithGroups++;
        (_groupHistograms[(int)metric] ??= new GroupHistogramTotals(UserGroups.Count, UserGroups.CoarseBinCount(metric))).Add(groups);
    }
}
