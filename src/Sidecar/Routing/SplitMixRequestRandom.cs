namespace Canary.Sidecar.Routing;

/// <summary>
/// Thread-safe, allocation-free bucket source: a SplitMix64 sequence advanced with one atomic add per call. A seed makes
/// the sequence of choices reproducible (tests, replay); without one it starts from a random point.
/// </summary>
internal sealed class SplitMixRequestRandom : IRequestRandom
{
    private const ulong Gamma = 0x9E37_79B9_7F4A_7C15;
    private long _state;

    public SplitMixRequestRandom(ulong seed) => _state = unchecked((long)seed);

    public int NextBucket()
    {
        var z = unchecked((ulong)Interlocked.Add(ref _state, unchecked((long)Gamma)));
        z = (z ^ (z >> 30)) * 0xBF58_476D_1CE4_E5B9;
        z = (z ^ (z >> 27)) * 0x94D0_49BB_1331_11EB;
        z ^= z >> 31;
        return (int)(z % StickyBucket.BucketCount);
    }
}
