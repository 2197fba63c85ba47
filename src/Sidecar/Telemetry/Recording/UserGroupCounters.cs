using Canary.Contracts.Telemetry;

namespace Canary.Sidecar.Telemetry.Recording;

/// <summary>
/// One phase of a comparison arm's <see cref="UserGroupCounterRecorder"/>: every <see cref="TelemetryCounter"/> per
/// <see cref="UserGroupSlots"/> slot, and the set of sticky buckets whose requests were counted in it. Writers update
/// it with atomics; readers see it only while it is quiescent.
/// </summary>
/// <remarks>
/// Each slot's counters take their own 256-byte block (the counter count rounded up to a cache line's worth), so
/// requests of different groups do not share lines. A bucket already in the set is only read, never written again: the
/// line stays shared across cores however often a heavy user sends.
/// </remarks>
internal sealed class UserGroupCounters
{
    /// <summary>Longs per slot: the counters rounded up to whole 64-byte lines.</summary>
    internal const int Stride = (TelemetryNames.CounterCount + 7) & ~7;

    /// <summary>64-bit words of the bucket set.</summary>
    internal const int BucketWords = (UserGroups.BucketCount + 63) / 64;

    // Keeps slot 0 and word 0 off the cache line of the arrays' lengths, which every update's bounds check reads.
    private const int Padding = CoreStripes.LongsPerStripe;

    private readonly long[] _values = new long[Padding + (UserGroupSlots.Count * Stride)];
    private readonly ulong[] _buckets = new ulong[Padding + BucketWords];

    /// <summary>The counter's value in a slot (a user group, or <see cref="UserGroupSlots.Ungrouped"/>).</summary>
    public long Value(TelemetryCounter counter, int slot) => _values[Index(counter, slot)];

    /// <summary>The counter's value over every slot: the arm's total.</summary>
    public long Total(TelemetryCounter counter)
    {
        long total = 0;
        for (var slot = 0; slot < UserGroupSlots.Count; slot++)
        {
            total += _values[Index(counter, slot)];
        }

        return total;
    }

    /// <summary>True when nothing was counted in this phase.</summary>
    public bool IsEmpty
    {
        get
        {
            foreach (var value in _values)
            {
                if (value != 0)
                {
                    return false;
                }
            }

            return true;
        }
    }

    /// <summary>The bucket set's 64-bit words, bucket b at bit b mod 64 of word b / 64.</summary>
    public ReadOnlySpan<ulong> Buckets => _buckets.AsSpan(Padding, BucketWords);

    /// <summary>The counter's per-group encoding (<see cref="UserGroupCodec.EncodeCounts"/>), or null when it did not
    /// move or counted a request without a user group (its groups would not add up to the row).</summary>
    public byte[]? EncodeGroups(TelemetryCounter counter)
    {
        if (Value(counter, UserGroupSlots.Ungrouped) != 0)
        {
            return null;
        }

        Span<long> values = stackalloc long[UserGroups.Count];
        for (var g = 0; g < values.Length; g++)
        {
            values[g] = Value(counter, g);
        }

        return UserGroupCodec.EncodeCounts(values);
    }

    /// <summary>The bucket set's encoding (<see cref="UserGroupCodec.EncodeBuckets"/>), or null when it is empty.</summary>
    public byte[]? EncodeBuckets() => UserGroupCodec.EncodeBuckets(Buckets, UserGroups.BucketCount);

    internal void Count(TelemetryCounter counter, int slot) => Interlocked.Increment(ref _values[Index(counter, slot)]);

    /// <summary>Adds a bucket in [0, <see cref="UserGroups.BucketCount"/>) to the set.</summary>
    internal void AddBucket(int bucket)
    {
        ref var word = ref _buckets[Padding + (bucket >> 6)];
        var bit = 1UL << (bucket & 63);
        if ((Volatile.Read(ref word) & bit) == 0)
        {
            Interlocked.Or(ref word, bit);
        }
    }

    internal void Reset()
    {
        Array.Clear(_values);
        Array.Clear(_buckets);
    }

    private static int Index(TelemetryCounter counter, int slot)
    {
        if ((uint)counter >= (uint)TelemetryNames.CounterCount)
        {
            throw new ArgumentOutOfRangeException(nameof(counter));
        }

        return Padding + (slot * Stride) + (int)counter;
    }
}
