using System.Diagnostics.CodeAnalysis;

namespace Canary.Contracts.Telemetry;

/// <summary>
/// Compact, exactly mergeable encoding of one histogram: a version byte, the layout, count, sum, min and max, then the
/// non-empty slots as (index delta, count) pairs, all unsigned LEB128 varints.
/// </summary>
/// <remarks>
/// Format version 1, byte by byte: <c>0x01</c>; varint highest trackable value; one byte significant digits; varints
/// total count, sum, min, max; varint number of non-empty slots N; N × (varint gap, varint count) where gap is the slot
/// index minus (previous slot index + 1), the first "previous" being -1. Counts are exact, so decoding and adding two
/// encodings of the same layout gives exactly the histogram of all their values. This is the bytea stored in
/// <c>interval_histograms.encoded</c>; the sidecar writes it and the analyzer reads it.
/// </remarks>
public static class HistogramCodec
{
    public const byte Version = 1;

    private const int MaxVarintLength = 10;
    private const int HeaderMaxLength = 1 + MaxVarintLength + 1 + (5 * MaxVarintLength);

    /// <summary>Bytes that are always enough for one encoding of <paramref name="layout"/>.</summary>
    public static int MaxEncodedLength(HistogramLayout layout) => HeaderMaxLength + (layout.CountsLength * 2 * MaxVarintLength);

    /// <summary>Encodes 32-bit slot counts of <paramref name="layout"/> (one recorded interval, as the sidecar keeps
    /// them) into <paramref name="destination"/>; returns the bytes written. <paramref name="destination"/> must hold
    /// <see cref="MaxEncodedLength"/> bytes. Negative counts are read as unsigned: a slot counts up to 2^32 − 1.</summary>
    public static int Encode(HistogramLayout layout, ReadOnlySpan<int> counts, long sum, long min, long max, Span<byte> destination)
    {
        ArgumentNullException.ThrowIfNull(layout);
        if (counts.Length != layout.CountsLength)
        {
            ThrowCountsMismatch(layout, counts.Length);
        }

        var nonEmpty = 0;
        long total = 0;
        for (var i = 0; i < counts.Length; i++)
        {
            if (counts[i] != 0)
            {
                nonEmpty++;
                total += (uint)counts[i];
            }
        }

        var position = WriteHeader(layout, total, sum, min, max, nonEmpty, destination);
        var previous = -1;
        for (var i = 0; i < counts.Length; i++)
        {
            if (counts[i] != 0)
            {
                position += WriteVarint((ulong)(i - previous - 1), destination[position..]);
                position += WriteVarint((uint)counts[i], destination[position..]);
                previous = i;
            }
        }

        return position;
    }

    /// <summary>Encodes 64-bit counts (for example a merged histogram) of <paramref name="layout"/>.</summary>
    public static int Encode(HistogramLayout layout, ReadOnlySpan<long> counts, long sum, long min, long max, Span<byte> destination)
    {
        ArgumentNullException.ThrowIfNull(layout);
        if (counts.Length != layout.CountsLength)
        {
            ThrowCountsMismatch(layout, counts.Length);
        }

        var nonEmpty = 0;
        long total = 0;
        for (var i = 0; i < counts.Length; i++)
        {
            if (counts[i] < 0)
            {
                throw new ArgumentException("Counts must not be negative.", nameof(counts));
            }

            if (counts[i] != 0)
            {
                nonEmpty++;
                total += counts[i];
            }
        }

        var position = WriteHeader(layout, total, sum, min, max, nonEmpty, destination);
        var previous = -1;
        for (var i = 0; i < counts.Length; i++)
        {
            if (counts[i] != 0)
            {
                position += WriteVarint((ulong)(i - previous - 1), destination[position..]);
                position += WriteVarint((ulong)counts[i], destination[position..]);
                previous = i;
            }
        }

        return position;
    }

    /// <summary>Reads the fixed part of an encoding without touching its slots.</summary>
    /// <exception cref="InvalidDataException">The bytes are not a valid encoding.</exception>
    public static EncodedHistogramHeader ReadHeader(ReadOnlySpan<byte> encoded)
    {
        ReadHeader(encoded, out var header, out _);
        return header;
    }

    /// <summary>
    /// Adds the slot counts of <paramref name="encoded"/> to <paramref name="counts"/> (a counts array of
    /// <paramref name="layout"/>) and returns the header. Throws when the encoding was made with another layout.
    /// </summary>
    /// <exception cref="InvalidDataException">The bytes are not a valid encoding.</exception>
    /// <exception cref="HistogramLayoutMismatchException">The encoding uses a different layout.</exception>
    public static EncodedHistogramHeader DecodeAdd(ReadOnlySpan<byte> encoded, HistogramLayout layout, Span<long> counts)
    {
        ArgumentNullException.ThrowIfNull(layout);
        if (counts.Length != layout.CountsLength)
        {
            ThrowCountsMismatch(layout, counts.Length);
        }

        ReadHeader(encoded, out var header, out var position);
        if (header.HighestTrackableValue != layout.HighestTrackableValue || header.SignificantDigits != layout.SignificantDigits)
        {
            throw new HistogramLayoutMismatchException(layout, header.HighestTrackableValue, header.SignificantDigits);
        }

        // Validate everything before touching the caller's counts, so a corrupt encoding adds nothing.
        var slotsEnd = ValidateSlots(encoded, position, header, layout.CountsLength);
        if (slotsEnd != encoded.Length)
        {
            throw new InvalidDataException("Trailing bytes after the histogram slots.");
        }

        var index = -1;
        for (var i = 0; i < header.NonEmptySlots; i++)
        {
            index += (int)ReadVarint(encoded, ref position) + 1;
            counts[index] += (long)ReadVarint(encoded, ref position);
        }

        return header;
    }

    private static long ValidateSlots(ReadOnlySpan<byte> encoded, int position, EncodedHistogramHeader header, int countsLength)
    {
        long index = -1;
        long total = 0;
        for (var i = 0; i < header.NonEmptySlots; i++)
        {
            var gap = ReadVarint(encoded, ref position);
            var count = ReadVarint(encoded, ref position);
            if (gap >= (ulong)countsLength || count == 0 || count > long.MaxValue)
            {
                throw new InvalidDataException("Histogram slot out of range.");
            }

            index += (long)gap + 1;
            if (index >= countsLength)
            {
                throw new InvalidDataException("Histogram slot index beyond the layout.");
            }

            total += (long)count;
            if (total < 0)
            {
                throw new InvalidDataException("Histogram total count overflows.");
            }
        }

        if (total != header.TotalCount)
        {
            throw new InvalidDataException($"Histogram slots add up to {total}, header says {header.TotalCount}.");
        }

        return position;
    }

    // Out of line: the message's interpolation in the encoding loops' method kept the JIT from optimizing them.
    [DoesNotReturn]
    private static void ThrowCountsMismatch(HistogramLayout layout, int length) =>
        throw new ArgumentException($"Expected {layout.CountsLength} counts for layout {layout}, got {length}.", "counts");

    private static int WriteHeader(HistogramLayout layout, long total, long sum, long min, long max, int nonEmpty, Span<byte> destination)
    {
        destination[0] = Version;
        var position = 1;
        position += WriteVarint((ulong)layout.HighestTrackableValue, destination[position..]);
        destination[position++] = (byte)layout.SignificantDigits;
        position += WriteVarint((ulong)total, destination[position..]);
        position += WriteVarint((ulong)sum, destination[position..]);
        position += WriteVarint((ulong)min, destination[position..]);
        position += WriteVarint((ulong)max, destination[position..]);
        position += WriteVarint((ulong)nonEmpty, destination[position..]);
        return position;
    }

    private static void ReadHeader(ReadOnlySpan<byte> encoded, out EncodedHistogramHeader header, out int position)
    {
        if (encoded.IsEmpty)
        {
            throw new InvalidDataException("Empty histogram encoding.");
        }

        if (encoded[0] != Version)
        {
            throw new InvalidDataException($"Unknown histogram encoding version {encoded[0]}; this build reads version {Version}.");
        }

        position = 1;
        var highest = ReadVarint(encoded, ref position);
        if (position >= encoded.Length)
        {
            throw new InvalidDataException("Truncated histogram encoding.");
        }

        int digits = encoded[position++];
        var total = ReadVarint(encoded, ref position);
        var sum = ReadVarint(encoded, ref position);
        var min = ReadVarint(encoded, ref position);
        var max = ReadVarint(encoded, ref position);
        var nonEmpty = ReadVarint(encoded, ref position);
        if (highest > HistogramLayout.MaxHighestTrackableValue || total > long.MaxValue || sum > long.MaxValue
            || min > long.MaxValue || max > long.MaxValue || nonEmpty > int.MaxValue)
        {
            throw new InvalidDataException("Histogram header value out of range.");
        }

        header = new EncodedHistogramHeader((long)highest, digits, (long)total, (long)sum, (long)min, (long)max, (int)nonEmpty);
    }

    private static int WriteVarint(ulong value, Span<byte> destination)
    {
        var i = 0;
        while (value >= 0x80)
        {
            destination[i++] = (byte)(value | 0x80);
            value >>= 7;
        }

        destination[i++] = (byte)value;
        return i;
    }

    private static ulong ReadVarint(ReadOnlySpan<byte> source, ref int position)
    {
        ulong result = 0;
        for (var shift = 0; shift < 64; shift += 7)
        {
            if (position >= source.Length)
            {
                throw new InvalidDataException("Truncated histogram encoding.");
            }

            var b = source[position++];
            result |= (ulong)(b & 0x7F) << shift;
            if (b < 0x80)
            {
                return result;
            }
        }

        throw new InvalidDataException("Varint longer than 10 bytes in histogram encoding.");
    }
}
