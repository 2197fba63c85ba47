namespace Canary.Sidecar.Telemetry.Recording;

/// <summary>
/// Picks the stripe a recording thread writes to: one per processor (a power of two, at most <see cref="MaxStripes"/>),
/// so threads on different cores update different cache lines instead of bouncing one line between them on every
/// request. A thread that moves to another core keeps working (stripes are only a contention hint; every stripe is
/// still updated atomically), and readers sum the stripes.
/// </summary>
internal static class CoreStripes
{
    /// <summary>Caps the memory of striped structures on very wide machines; contention is already split 8 ways.</summary>
    public const int MaxStripes = 8;

    /// <summary>Longs per 128 bytes: a stripe's hot fields in their own pair of cache lines (the adjacent-line
    /// prefetcher pulls lines in pairs, so 64 bytes apart would still contend).</summary>
    public const int LongsPerStripe = 16;

    /// <summary>Number of stripes: the processor count rounded up to a power of two, between 1 and <see cref="MaxStripes"/>.</summary>
    public static readonly int Count = (int)Math.Min(MaxStripes, System.Numerics.BitOperations.RoundUpToPowerOf2((uint)Environment.ProcessorCount));

    /// <summary>Length of a <c>long[]</c> holding one <see cref="LongsPerStripe"/> block per stripe behind one leading
    /// block, which only keeps stripe 0 off the cache line of the array's header.</summary>
    public static readonly int BlockArrayLength = (Count + 1) * LongsPerStripe;

    private static readonly int Mask = Count - 1;

    /// <summary>The calling thread's stripe. <see cref="Thread.GetCurrentProcessorId"/> is cached per thread by the runtime,
    /// so this costs a few nanoseconds.</summary>
    public static int Current => Thread.GetCurrentProcessorId() & Mask;

    /// <summary>Index of a stripe's first long in an array of <see cref="BlockArrayLength"/>.</summary>
    public static int BlockOffset(int stripe) => (stripe + 1) * LongsPerStripe;
}
