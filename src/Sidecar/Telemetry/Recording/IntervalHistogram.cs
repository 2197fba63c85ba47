using Canary.Contracts.Telemetry;

namespace Canary.Sidecar.Telemetry.Recording;

/// <summary>
/// One phase of an <see cref="IntervalRecorder"/>: 32-bit slot counters plus sum, min, max and the number of values
/// that had to be clamped into range, and in a comparison arm the same values per user group
/// (<see cref="Groups"/>). Writers update it with atomics; readers see it only while it is quiescent.
/// </summary>
/// <remarks>
/// Slot counters are 32-bit to halve memory (see <see cref="RecorderMemory"/>): one slot would overflow only after
/// 2^31 values landed in it within a single flush interval, which at a 10 s interval is 200 million values a second.
/// </remarks>
internal sealed class IntervalHistogram
{
    private const int SumField = 0;
    private const int MinField = 1;
    private const int MaxField = 2;
    private const int ClampedField = 3;

    // Slot counters start 128 bytes into the array: the array's length, read by every record's bounds check, would
    // otherwise share a cache line with the lowest slots, which zero-valued records (empty bodies) write constantly.
    private const int CountsOffset = CoreStripes.LongsPerStripe * sizeof(long) / sizeof(int);

    private readonly int[] _counts;

    // Sum, min, max and clamped count per core stripe, one block each (CoreStripes.BlockOffset): every record updates
    // the sum and reads the bounds, and one shared line for them bounced between cores on each request. The slot
    // counters stay shared: striping them would multiply the histograms' memory by the stripe count.
    private readonly long[] _scalars = new long[CoreStripes.BlockArrayLength];

    /// <param name="layout">The slot geometry.</param>
    /// <param name="userGroupBins">Coarse bins per user group when the phase also records per group (a comparison
    /// arm), 0 for counts and sums only; null records no groups.</param>
    internal IntervalHistogram(HistogramLayout layout, int? userGroupBins = null)
    {
        Layout = layout;
        _counts = new int[CountsOffset + layout.CountsLength];
        Groups = userGroupBins is { } bins ? new UserGroupHistograms(bins) : null;
        ResetScalars();
    }

    public HistogramLayout Layout { get; }

    /// <summary>The same values per user group, or null when the arm records no groups.</summary>
    public UserGroupHistograms? Groups { get; }

    public ReadOnlySpan<int> Counts => _counts.AsSpan(CountsOffset);

    public long Sum => SumOverStripes(SumField);

    /// <summary>Smallest recorded value, or 0 when empty.</summary>
    public long Min
    {
        get
        {
            var min = long.MaxValue;
            for (var stripe = 0; stripe < CoreStripes.Count; stripe++)
            {
                min = Math.Min(min, _scalars[CoreStripes.BlockOffset(stripe) + MinField]);
            }

            return min == long.MaxValue ? 0 : min;
        }
    }

    /// <summary>Largest recorded value, or 0 when empty.</summary>
    public long Max
    {
        get
        {
            var max = long.MinValue;
            for (var stripe = 0; stripe < CoreStripes.Count; stripe++)
            {
                max = Math.Max(max, _scalars[CoreStripes.BlockOffset(stripe) + MaxField]);
            }

            return max == long.MinValue ? 0 : max;
        }
    }

    /// <summary>Values recorded outside [0, HighestTrackableValue] and counted at the nearest bound instead.</summary>
    public long Clamped => SumOverStripes(ClampedField);

    /// <summary>Number of recorded values (sum of the slot counters).</summary>
    public long TotalCount()
    {
        long total = 0;
        var counts = Counts;
        for (var i = 0; i < counts.Length; i++)
        {
            total += counts[i];
        }

        return total;
    }

    /// <summary>Encodes this interval with <see cref="HistogramCodec"/> into <paramref name="destination"/> (at least
    /// <see cref="HistogramCodec.MaxEncodedLength"/> bytes); returns the bytes written.</summary>
    public int Encode(Span<byte> destination) => HistogramCodec.Encode(Layout, Counts, Sum, Min, Max, destination);

    /// <summary>Records one value into the given core stripe's sum and bounds (any stripe is correct; the caller's
    /// own keeps the cache line local) and, when the phase records groups, into the <see cref="UserGroupSlots"/> slot
    /// <paramref name="groupSlot"/>.</summary>
    internal void Record(long value, int stripe, int groupSlot = UserGroupSlots.Ungrouped)
    {
        var layout = Layout;
        var offset = CoreStripes.BlockOffset(stripe);
        var clamped = false;
        if ((ulong)value > (ulong)layout.HighestTrackableValue)
        {
            value = value < 0 ? 0 : layout.HighestTrackableValue;
            clamped = true;
            Interlocked.Increment(ref _scalars[offset + ClampedField]);
        }

        Interlocked.Increment(ref _counts[CountsOffset + layout.IndexOf(value)]);
        Interlocked.Add(ref _scalars[offset + SumField], value);
        Groups?.Record(value, clamped, groupSlot);

        // Lock-free rather than wait-free, but each retry means another writer moved the bound towards this value,
        // and once the interval has seen its extremes these are plain reads.
        ref var minSlot = ref _scalars[offset + MinField];
        var min = Volatile.Read(ref minSlot);
        while (value < min)
        {
            var seen = Interlocked.CompareExchange(ref minSlot, value, min);
            if (seen == min)
            {
                break;
            }

            min = seen;
        }

        ref var maxSlot = ref _scalars[offset + MaxField];
        var max = Volatile.Read(ref maxSlot);
        while (value > max)
        {
            var seen = Interlocked.CompareExchange(ref maxSlot, value, max);
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
        ResetScalars();
        Groups?.Reset();
    }

    private void ResetScalars()
    {
        for (var stripe = 0; stripe < CoreStripes.Count; stripe++)
        {
            var offset = CoreStripes.BlockOffset(stripe);
            _scalars[offset + SumField] = 0;
            _scalars[offset + MinField] = long.MaxValue;
            _scalars[offset + MaxField] = long.MinValue;
            _scalars[offset + ClampedField] = 0;
        }
    }

    private long SumOverStripes(int field)
    {
        long total = 0;
        for (var stripe = 0; stripe < CoreStripes.Count; stripe++)
        {
            total += _scalars[CoreStripes.BlockOffset(stripe) + field];
        }

        return total;
    }
}
