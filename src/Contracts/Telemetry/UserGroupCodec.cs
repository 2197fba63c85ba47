namespace Canary.Contracts.Telemetry;

/// <summary>
/// Encodings of the per-user-group data a telemetry row carries next to its arm totals (the <c>groups</c> and
/// <c>buckets</c> columns): per-group counter values, per-group value counts, sums and coarse histograms, and bucket sets.
/// All exactly mergeable: adding the decodings of two rows gives the decoding of their union.
/// </summary>
/// <remarks>
/// Version 1, unsigned LEB128 varints throughout. Counts: <c>0x01 0x01</c>, groups G, non-empty groups N, N × (group
/// gap, value). Histograms: <c>0x01 0x02</c>, groups G, coarse bins B (0: count and sum only), non-empty groups N, N ×
/// (group gap, count, sum, non-empty bins M, M × (bin gap, count)). Buckets: <c>0x01 0x03</c>, bucket space size,
/// buckets K, K × bucket gap; or <c>0x01 0x04</c>, bucket space size, then the bitmap's bytes (little-endian words),
/// whichever is shorter. A gap is the index minus (previous index + 1), the first "previous" being −1. Values are
/// non-negative (counters are interval increases; recorded values are never negative).
/// </remarks>
public static class UserGroupCodec
{
    public const byte Version = 1;

    private const byte CountsKind = 1;
    private const byte HistogramsKind = 2;
    private const byte BucketListKind = 3;
    private const byte BucketBitmapKind = 4;

    /// <summary>Encodes one value per group; null when every value is zero (nothing to store).</summary>
    public static byte[]? EncodeCounts(ReadOnlySpan<long> values)
    {
        var buffer = new Buffer(8 + (values.Length * 12));
        buffer.Byte(Version);
        buffer.Byte(CountsKind);
        buffer.Varint((ulong)values.Length);
        var nonEmpty = Count(values);
        if (nonEmpty == 0)
        {
            return null;
        }

        buffer.Varint((ulong)nonEmpty);
        var previous = -1;
        for (var g = 0; g < values.Length; g++)
        {
            if (values[g] != 0)
            {
                buffer.Varint((ulong)(g - previous - 1));
                buffer.Varint(checked((ulong)values[g]));
                previous = g;
            }
        }

        return buffer.ToArray();
    }

    /// <summary>Adds an encoding of per-group values into <paramref name="values"/> (one entry per group).</summary>
    public static void AddCounts(ReadOnlySpan<byte> encoded, Span<long> values)
    {
        var position = Header(encoded, CountsKind);
        Groups(encoded, ref position, values.Length);
        var nonEmpty = Read(encoded, ref position);
        var g = -1;
        for (ulong i = 0; i < nonEmpty; i++)
        {
            g = Index(g, Read(encoded, ref position), values.Length);
            values[g] += checked((long)Read(encoded, ref position));
        }
    }

    /// <summary>
    /// Encodes per-group value counts and sums, with coarse histograms (group-major, <paramref name="binCount"/> per group)
    /// when <paramref name="bins"/> is not empty; null when no group has a value.
    /// </summary>
    public static byte[]? EncodeHistograms(ReadOnlySpan<long> counts, ReadOnlySpan<long> sums, ReadOnlySpan<int> bins, int binCount) =>
        EncodeHistograms<int>(counts, sums, bins, binCount);

    /// <inheritdoc cref="EncodeHistograms(ReadOnlySpan{long}, ReadOnlySpan{long}, ReadOnlySpan{int}, int)"/>
    public static byte[]? EncodeHistograms(ReadOnlySpan<long> counts, ReadOnlySpan<long> sums, ReadOnlySpan<long> bins, int binCount) =>
        EncodeHistograms<long>(counts, sums, bins, binCount);

    private static byte[]? EncodeHistograms<T>(ReadOnlySpan<long> counts, ReadOnlySpan<long> sums, ReadOnlySpan<T> bins, int binCount)
        where T : System.Numerics.IBinaryInteger<T>
    {
        var groups = counts.Length;
        if (sums.Length != groups || (!bins.IsEmpty && bins.Length != groups * binCount))
        {
            throw new ArgumentException("Counts, sums and bins need one entry (or one histogram) per group.", nameof(bins));
        }

        var nonEmpty = Count(counts);
        if (nonEmpty == 0)
        {
            return null;
        }

        var buffer = new Buffer(16 + (nonEmpty * 24) + (bins.IsEmpty ? 0 : nonEmpty * binCount * 4));
        buffer.Byte(Version);
        buffer.Byte(HistogramsKind);
        buffer.Varint((ulong)groups);
        buffer.Varint(bins.IsEmpty ? 0UL : (ulong)binCount);
        buffer.Varint((ulong)nonEmpty);
        var previous = -1;
        for (var g = 0; g < groups; g++)
        {
            if (counts[g] == 0)
            {
                continue;
            }

            buffer.Varint((ulong)(g - previous - 1));
            buffer.Varint(checked((ulong)counts[g]));
            buffer.Varint(checked((ulong)sums[g]));
            previous = g;
            if (bins.IsEmpty)
            {
                buffer.Varint(0);
                continue;
            }

            var row = bins.Slice(g * binCount, binCount);
            buffer.Varint((ulong)Count(row));
            var previousBin = -1;
            for (var b = 0; b < binCount; b++)
            {
                if (!T.IsZero(row[b]))
                {
                    buffer.Varint((ulong)(b - previousBin - 1));
                    // The sidecar's 32-bit interval counters are unsigned: a bin counts up to 2^32 − 1 in one interval.
                    buffer.Varint(typeof(T) == typeof(int) ? uint.CreateTruncating(row[b]) : ulong.CreateChecked(row[b]));
                    previousBin = b;
                }
            }
        }

        return buffer.ToArray();
    }

    /// <summary>Adds an encoding of per-group histograms into <paramref name="totals"/>.</summary>
    public static void AddHistograms(ReadOnlySpan<byte> encoded, GroupHistogramTotals totals)
    {
        ArgumentNullException.ThrowIfNull(totals);
        var position = Header(encoded, HistogramsKind);
        Groups(encoded, ref position, totals.Groups);
        var binCount = (int)Read(encoded, ref position);
        if (binCount != 0 && binCount != totals.BinCount)
        {
            throw new InvalidDataException($"Per-group histograms with {binCount} coarse bins cannot be merged into {totals.BinCount}.");
        }

        var nonEmpty = Read(encoded, ref position);
        var g = -1;
        for (ulong i = 0; i < nonEmpty; i++)
        {
            g = Index(g, Read(encoded, ref position), totals.Groups);
            totals.AddGroup(g, checked((long)Read(encoded, ref position)), checked((long)Read(encoded, ref position)));
            var bins = Read(encoded, ref position);
            var b = -1;
            for (ulong j = 0; j < bins; j++)
            {
                b = Index(b, Read(encoded, ref position), binCount);
                totals.AddBin(g, b, checked((long)Read(encoded, ref position)));
            }
        }

        // Rows with bins and rows without cannot be told apart in the merged totals, so one without marks them partial.
        if (binCount == 0 && nonEmpty > 0)
        {
            totals.MarkBinsMissing();
        }
    }

    /// <summary>The number of groups and of coarse bins per group of a per-group histogram encoding.</summary>
    public static (int Groups, int BinCount) HistogramShape(ReadOnlySpan<byte> encoded)
    {
        var position = Header(encoded, HistogramsKind);
        var groups = (int)Read(encoded, ref position);
        return (groups, (int)Read(encoded, ref position));
    }

    /// <summary>Encodes a bucket set given as its 64-bit words; null when it is empty.</summary>
    public static byte[]? EncodeBuckets(ReadOnlySpan<ulong> words, int bucketCount)
    {
        if (words.Length != (bucketCount + 63) / 64)
        {
            throw new ArgumentException("The words do not cover the bucket space.", nameof(words));
        }

        var count = 0;
        foreach (var word in words)
        {
            count += System.Numerics.BitOperations.PopCount(word);
        }

        if (count == 0)
        {
            return null;
        }

        // A gap list costs about 1–2 bytes a bucket; the bitmap a fixed 1 250 bytes for 10 000 buckets.
        var bitmapBytes = words.Length * sizeof(ulong);
        var buffer = new Buffer(Math.Min(8 + (count * 2), 8 + bitmapBytes) + 8);
        buffer.Byte(Version);
        if (count * 2 < bitmapBytes)
        {
            buffer.Byte(BucketListKind);
            buffer.Varint((ulong)bucketCount);
            buffer.Varint((ulong)count);
            var previous = -1;
            for (var w = 0; w < words.Length; w++)
            {
                var word = words[w];
                while (word != 0)
                {
                    var bucket = (w * 64) + System.Numerics.BitOperations.TrailingZeroCount(word);
                    buffer.Varint((ulong)(bucket - previous - 1));
                    previous = bucket;
                    word &= word - 1;
                }
            }
        }
        else
        {
            buffer.Byte(BucketBitmapKind);
            buffer.Varint((ulong)bucketCount);
            foreach (var word in words)
            {
                buffer.UInt64(word);
            }
        }

        return buffer.ToArray();
    }

    /// <summary>Adds (ORs) an encoded bucket set into <paramref name="words"/>.</summary>
    internal static void AddBuckets(ReadOnlySpan<byte> encoded, Span<ulong> words, int bucketCount)
    {
        if (encoded.Length < 2 || encoded[0] != Version || (encoded[1] != BucketListKind && encoded[1] != BucketBitmapKind))
        {
            throw new InvalidDataException("Not a version 1 bucket set.");
        }

        var position = 2;
        if ((int)Read(encoded, ref position) != bucketCount)
        {
            throw new InvalidDataException("A bucket set over another bucket space cannot be merged.");
        }

        if (encoded[1] == BucketBitmapKind)
        {
            for (var w = 0; w < words.Length; w++)
            {
                if (position + sizeof(ulong) > encoded.Length)
                {
                    throw new InvalidDataException("Truncated bucket bitmap.");
                }

                words[w] |= BitConverter.ToUInt64(encoded.Slice(position, sizeof(ulong)));
                position += sizeof(ulong);
            }

            return;
        }

        var count = Read(encoded, ref position);
        var bucket = -1;
        for (ulong i = 0; i < count; i++)
        {
            bucket = Index(bucket, Read(encoded, ref position), bucketCount);
            words[bucket >> 6] |= 1UL << (bucket & 63);
        }
    }

    private static int Count<T>(ReadOnlySpan<T> values)
        where T : System.Numerics.INumber<T>
    {
        var n = 0;
        foreach (var v in values)
        {
            if (!T.IsZero(v))
            {
                n++;
            }
        }

        return n;
    }

    private static int Header(ReadOnlySpan<byte> encoded, byte kind)
    {
        if (encoded.Length < 2 || encoded[0] != Version || encoded[1] != kind)
        {
            throw new InvalidDataException($"Not a version {Version} per-group encoding of kind {kind}.");
        }

        return 2;
    }

    private static void Groups(ReadOnlySpan<byte> encoded, ref int position, int expected)
    {
        var groups = Read(encoded, ref position);
        if (groups != (ulong)expected)
        {
            throw new InvalidDataException($"An encoding over {groups} user groups cannot be merged into {expected}.");
        }
    }

    private static int Index(int previous, ulong gap, int length)
    {
        var index = previous + 1 + (long)Math.Min(gap, int.MaxValue);
        if (index >= length)
        {
            throw new InvalidDataException("Index out of range in a per-group encoding.");
        }

        return (int)index;
    }

    private static ulong Read(ReadOnlySpan<byte> encoded, ref int position)
    {
        ulong value = 0;
        for (var shift = 0; shift < 64; shift += 7)
        {
            if (position >= encoded.Length)
            {
                throw new InvalidDataException("Truncated per-group encoding.");
            }

            var b = encoded[position++];
            value |= (ulong)(b & 0x7F) << shift;
            if ((b & 0x80) == 0)
            {
                return value;
            }
        }

        throw new InvalidDataException("Varint too long in a per-group encoding.");
    }

    /// <summary>A growable byte buffer for one encoding (the flush path, once per row).</summary>
    private ref struct Buffer(int capacity)
    {
        private byte[] _bytes = new byte[Math.Max(16, capacity)];
        private int _length;

        public void Byte(byte value)
        {
            Ensure(1);
            _bytes[_length++] = value;
        }

        public void Varint(ulong value)
        {
            Ensure(10);
            while (value >= 0x80)
            {
                _bytes[_length++] = (byte)(value | 0x80);
                value >>= 7;
            }

            _bytes[_length++] = (byte)value;
        }

        public void UInt64(ulong value)
        {
            Ensure(sizeof(ulong));
            BitConverter.TryWriteBytes(_bytes.AsSpan(_length), value);
            _length += sizeof(ulong);
        }

        public readonly byte[] ToArray() => _bytes.AsSpan(0, _length).ToArray();

        private void Ensure(int more)
        {
            if (_length + more > _bytes.Length)
            {
                Array.Resize(ref _bytes, Math.Max(_bytes.Length * 2, _length + more));
            }
        }
    }
}
