namespace Canary.Contracts.Telemetry;

/// <summary>
/// A set of sticky buckets: those that sent requests to one arm in an interval (as a sidecar writes it) or over a window
/// (the union of the rows a reader merges). Mutable while rows are merged into it; read-only once handed on.
/// </summary>
public sealed class BucketSet
{
    private readonly ulong[] _words;

    public BucketSet(int bucketCount = UserGroups.BucketCount)
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
    public void UnionWith(BucketSet other)
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

    /// <summary>The set's 64-bit words, bucket b at bit b mod 64 of word b / 64.</summary>
    public ReadOnlySpan<ulong> Words => _words;

    /// <summary>Buckets in the set.</summary>
    public int Count => CountInRange(0, BucketCount);

    /// <summary>Adds every bucket of an encoding (<see cref="UserGroupCodec.EncodeBuckets"/>).</summary>
    public void Add(ReadOnlySpan<byte> encoded) => UserGroupCodec.AddBuckets(encoded, _words, BucketCount);

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
