namespace Canary.Analyzer.Statistics;

/// <summary>
/// The sticky buckets that sent requests to one arm over a window: the union of the sidecars' per-interval bucket sets.
/// Mutable while a reader merges rows into it; read-only once it is handed to the decision engine.
/// </summary>
internal sealed class OccupiedBuckets
{
    private readonly ulong[] _words;

    public OccupiedBuckets(int bucketCount)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(bucketCount);
        BucketCount = bucketCount;
        _words = new ulong[(bucketCount + 63) / 64];
    }

    public int BucketCount { get; }

    public void Add(int bucket)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(bucket);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(bucket, BucketCount);
        _words[bucket >> 6] |= 1UL << (bucket & 63);
    }

    public bool Contains(int bucket) => (uint)bucket < (uint)BucketCount && (_words[bucket >> 6] & (1UL << (bucket & 63))) != 0;

    /// <summary>Empties the set.</summary>
    public void Clear() => Array.Clear(_words);

    /// <summary>Adds every bucket of <paramref name="other"/> (a set over the same bucket space).</summary>
    public void UnionWith(OccupiedBuckets other)
    {
        ArgumentNullException.ThrowIfNull(other);
        if (other.BucketCount != BucketCount)
        {
            throw new ArgumentException("Bucket sets over different bucket spaces cannot be merged.", nameof(other));
        }

        for (var i = 0; i < _words.Length; i++)
        {
            _words[i] |= other._words[i];
        }
    }

    /// <summary>Buckets in [<paramref name="from"/>, <paramref name="to"/>) that are in the set.</summary>
    public int CountInRange(int from, int to)
    {
        from = Math.Max(0, from);
        to = Math.Min(BucketCount, to);
        var count = 0;
        for (var b = from; b < to;)
        {
            if ((b & 63) == 0 && b + 64 <= to)
            {
                count += System.Numerics.BitOperations.PopCount(_words[b >> 6]);
                b += 64;
            }
            else
            {
                if (Contains(b))
                {
                    count++;
                }

                b++;
            }
        }

        return count;
    }
}
