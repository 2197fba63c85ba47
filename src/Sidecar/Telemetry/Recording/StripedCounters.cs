namespace Canary.Sidecar.Telemetry.Recording;

/// <summary>
/// A fixed set of cumulative 64-bit counters, each split across <see cref="CoreStripes"/> so that threads counting on
/// different cores touch different cache lines. Adding is one uncontended atomic; reading sums the stripes (for
/// /metrics and the flusher, never on the request path).
/// </summary>
/// <remarks>
/// A read is not a snapshot of all counters at one instant: an increment racing it lands in this read or the next,
/// as with a single shared counter.
/// </remarks>
internal sealed class StripedCounters
{
    private readonly long[] _values;
    private readonly int _stride;

    public StripedCounters(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(count);
        Count = count;

        // Each stripe's counters start on their own 128-byte boundary; the first block keeps stripe 0 off the array's
        // header line.
        _stride = (count + CoreStripes.LongsPerStripe - 1) / CoreStripes.LongsPerStripe * CoreStripes.LongsPerStripe;
        _values = new long[(CoreStripes.Count * _stride) + CoreStripes.LongsPerStripe];
    }

    public int Count { get; }

    public void Increment(int counter) => Add(counter, 1);

    public void Add(int counter, long amount) => Interlocked.Add(ref _values[Slot(counter, CoreStripes.Current)], amount);

    /// <summary>Sum of the counter over all stripes.</summary>
    public long Read(int counter)
    {
        long total = 0;
        for (var stripe = 0; stripe < CoreStripes.Count; stripe++)
        {
            total += Volatile.Read(ref _values[Slot(counter, stripe)]);
        }

        return total;
    }

    private int Slot(int counter, int stripe)
    {
        if ((uint)counter >= (uint)Count)
        {
            throw new ArgumentOutOfRangeException(nameof(counter));
        }

        return CoreStripes.LongsPerStripe + (stripe * _stride) + counter;
    }
}
