namespace Canary.Contracts.Telemetry.Storage;

/// <summary>
/// One arm's telemetry over a window, merged exactly across sidecars and intervals: counters, histograms, and when the
/// rows carry them, the per-user-group totals and the set of sticky buckets that sent requests.
/// </summary>
/// <remarks>
/// Per-group totals of a counter or metric are offered only when every row of it in the window carried them: one row
/// without (an older sidecar, an interval before groups were recorded) would leave the groups short of the arm's total,
/// and a variance computed from them would describe other requests than the estimate.
/// </remarks>
public sealed class ArmWindow
{
    private readonly long[] _counters = new long[TelemetryNames.CounterCount];
    private readonly MergedHistogram?[] _histograms = new MergedHistogram?[TelemetryNames.MetricCount];
    private readonly long[]?[] _groupCounters = new long[]?[TelemetryNames.CounterCount];
    private readonly bool[] _counterGroupsMissing = new bool[TelemetryNames.CounterCount];
    private readonly GroupHistogramTotals?[] _groupHistograms = new GroupHistogramTotals?[TelemetryNames.MetricCount];
    private readonly bool[] _histogramGroupsMissing = new bool[TelemetryNames.MetricCount];

    public ArmWindow(string subset) => Subset = subset;

    public string Subset { get; }

    /// <summary>True when the arm's requests were counted with per-group values in every row: the arm records user groups.</summary>
    public bool HasGroups => _groupCounters[(int)TelemetryCounter.Requests] is not null && !_counterGroupsMissing[(int)TelemetryCounter.Requests];

    /// <summary>The sticky buckets that sent requests to this arm in the window; null when no row carried a bucket set.</summary>
    public BucketSet? Buckets { get; private set; }

    public long Counter(TelemetryCounter counter) => _counters[(int)counter];

    /// <summary>The merged histogram of a metric, or null when nothing was recorded for it in the window.</summary>
    public MergedHistogram? Histogram(TelemetryMetric metric) => _histograms[(int)metric];

    /// <summary>
    /// A counter per user group (zeros when it never counted), or null when the arm records no groups or a row of this
    /// counter had none.
    /// </summary>
    public long[]? GroupCounter(TelemetryCounter counter) =>
        !HasGroups || _counterGroupsMissing[(int)counter] ? null : _groupCounters[(int)counter] ?? new long[UserGroups.Count];

    /// <summary>A metric's per-group totals, or null when it had no values, the arm records no groups or a row of it had none.</summary>
    public GroupHistogramTotals? GroupHistogram(TelemetryMetric metric) =>
        HasGroups && !_histogramGroupsMissing[(int)metric] ? _groupHistograms[(int)metric] : null;

    internal void AddCounter(TelemetryCounter counter, CounterSum sum)
    {
        _counters[(int)counter] += sum.Sum;
        if (sum.RowsWithGroups < sum.Rows)
        {
            _counterGroupsMissing[(int)counter] = true;
        }

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
            _histogramGroupsMissing[(int)metric] = true;
            return;
        }

        (_groupHistograms[(int)metric] ??= new GroupHistogramTotals(UserGroups.Count, UserGroups.CoarseBinCount(metric))).Add(groups);
    }
}
