namespace Canary.Contracts.Telemetry;

/// <summary>
/// One phase of an <see cref="IntervalRecorder"/>: 32-bit slot counters plus sum, min, max and the number of values
/// that had to be clamped into range. Writers update it with atomics; readers see it only while it is quiescent.
/// </summary>
/// <remarks>
/// Slot counters are 32-bit to halve memory (see <see cref="TelemetryLayouts"/>): one slot would overflow only after
/// 2^31 values landed in it within a single flush interval, which at a 10 s interval is 200 million values a second.
/// </remarks>
public sealed class IntervalHistogram
{
    private readonly int[] _counts;
    private long _sum;
    private long _min = long.MaxValue;
    private long _max = long.MinValue;
    private long _clamped;

    internal IntervalHistogram(HistogramLayout layout)
    {
        Layout = layout;
        _counts = new int[layout.CountsLength];
    }

    public HistogramLayout Layout { get; }

    public ReadOnlySpan<int> Counts => _counts;

    public long Sum => _sum;

    /// <summary>Smallest recorded value, or 0 when empty.</summary>
    public long Min => _min == long.MaxValue ? 0 : _min;

    /// <summary>Largest recorded value, or 0 when empty.</summary>
    public long Max => _max == long.MinValue ? 0 : _max;

    /// <summary>Values recorded outside [0, HighestTrackableValue] and counted at the nearest bound instead.</summary>
    public long Clamped => _clamped;

    /// <summary>Number of recorded values (sum of the slot counters).</summary>
    public long TotalCount()
    {
        long total = 0;
        var counts = _counts;
        for (var i = 0; i < counts.Length; i++)
        {
            total += counts[i];
        }

        return total;
    }

    internal void Record(long value)
    {
        var layout = Layout;
        if ((ulong)value > (ulong)layout.HighestTrackableValue)
        {
            value = value < 0 ? 0 : layout.HighestTrackableValue;
            Interlocked.Increment(ref _clamped);
        }

        Interlocked.Increment(ref _counts[layout.IndexOf(value)]);
        Interlocked.Add(ref _sum, value);

        // Lock-free rather than wait-free, but each retry means another writer moved the bound towards this value,
        // and once the interval has seen its extremes these are plain reads.
        var min = Volatile.Read(ref _min);
        while (value < min)
        {
            var seen = Interlocked.CompareExchange(ref _min, value, min);
            if (seen == min)
            {
                break;
            }

            min = seen;
        }

        var max = Volatile.Read(ref _max);
        while (value > max)
        {
            var seen = Interlocked.CompareExchange(ref _max, value, max);
            if (seen == max)
            {
                break;
            }

            max = seen;
        }
    }

    internal void Reset()
    {
        Array.Clear(_counts);
        _sum = 0;
        _min = long.MaxValue;
        _max = long.MinValue;
        _clamped = 0;
    }
}
