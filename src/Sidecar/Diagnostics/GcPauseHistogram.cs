namespace Canary.Sidecar.Diagnostics;

/// <summary>
/// Counts of garbage-collection pauses by duration, in fixed buckets from 50 µs to 1 s. One writer (the sampler) and
/// any number of readers (scrapes); counts only grow, so a scrape that races a write is at most one pause behind.
/// </summary>
internal sealed class GcPauseHistogram
{
    /// <summary>Upper bounds in seconds; a pause longer than the last bound counts only in +Inf.</summary>
    public static readonly double[] UpperBounds = [0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1.0];

    private readonly long[] _counts = new long[UpperBounds.Length + 1];
    private long _sumTicks;
    private long _unsampled;

    /// <summary>Collections that ended between two samples, so only their total pause time is known, not each one.</summary>
    public long Unsampled => Interlocked.Read(ref _unsampled);

    public long Count
    {
        get
        {
            long total = 0;
            for (var i = 0; i < _counts.Length; i++)
            {
                total += Interlocked.Read(ref _counts[i]);
            }

            return total;
        }
    }

    public TimeSpan Sum => TimeSpan.FromTicks(Interlocked.Read(ref _sumTicks));

    public void Record(TimeSpan pause)
    {
        var seconds = pause.TotalSeconds;
        var bucket = 0;
        while (bucket < UpperBounds.Length && seconds > UpperBounds[bucket])
        {
            bucket++;
        }

        Interlocked.Increment(ref _counts[bucket]);
        Interlocked.Add(ref _sumTicks, pause.Ticks);
    }

    public void AddUnsampled(long collections) => Interlocked.Add(ref _unsampled, collections);

    /// <summary>Cumulative counts per bucket, +Inf last, as the Prometheus histogram format wants them.</summary>
    public long[] CumulativeCounts()
    {
        var cumulative = new long[_counts.Length];
        long running = 0;
        for (var i = 0; i < _counts.Length; i++)
        {
            running += Interlocked.Read(ref _counts[i]);
            cumulative[i] = running;
        }

        return cumulative;
    }
}
