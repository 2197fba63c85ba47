using System.Buffers;

namespace Canary.Sidecar.Wire;

/// <summary>
/// Protocol Buffers writer for the messages the sidecar sends, in two forms: into an <see cref="IBufferWriter{T}"/>
/// (answers built when a rollout table is applied) and into a span whose size the caller computed first with
/// <see cref="FieldSize"/> (replies written per request into a pooled buffer, where a nested message cannot be built
/// apart and copied in without allocating).
/// </summary>
internal static class WireWriter
{
    /// <summary>Tag byte of a length-delimited field; field numbers 1-15 fit in one byte.</summary>
    public static byte LengthDelimitedTag(int fieldNumber) => (byte)((fieldNumber << 3) | (int)WireType.LengthDelimited);

    /// <summary>Tag byte of a varint field; field numbers 1-15 fit in one byte.</summary>
    public static byte VarintTag(int fieldNumber) => (byte)((fieldNumber << 3) | (int)WireType.Varint);

    public static int VarintLength(ulong value)
    {
        var length = 1;
        while (value >= 0x80)
        {
            value >>= 7;
            length++;
        }

        return length;
    }

    /// <summary>Size of a whole length-delimited field with a one-byte tag: tag, length varint, payload.</summary>
    public static int FieldSize(int payloadLength) => 1 + VarintLength((uint)payloadLength) + payloadLength;

    public static void WriteTag(IBufferWriter<byte> output, int fieldNumber, WireType wireType) =>
        WriteVarint(output, ((ulong)fieldNumber << 3) | (ulong)wireType);

    public static void WriteVarint(IBufferWriter<byte> output, ulong value)
    {
        var written = WriteVarint(output.GetSpan(10), value);
        output.Advance(written);
    }

    public static int WriteVarint(Span<byte> destination, ulong value)
    {
        var position = 0;
        while (value >= 0x80)
        {
            destination[position++] = (byte)(value | 0x80);
            value >>= 7;
        }

        destination[position++] = (byte)value;
        return position;
    }

    public static void WriteBytesField(IBufferWriter<byte> output, int fieldNumber, ReadOnlySpan<byte> value)
    {
        WriteTag(output, fieldNumber, WireType.LengthDelimited);
        WriteVarint(output, (ulong)value.Length);
        output.Write(value);
    }

    public static void WriteBoolField(IBufferWriter<byte> output, int fieldNumber, bool value)
    {
        WriteTag(output, fieldNumber, WireType.Varint);
        WriteVarint(output, value ? 1UL : 0UL);
    }

    public static void WriteVarintField(IBufferWriter<byte> output, int fieldNumber, ulong value)
    {
        WriteTag(output, fieldNumber, WireType.Varint);
        WriteVarint(output, value);
    }

    /// <summary>Writes a one-byte tag and a length prefix into <paramref name="destination"/>; the payload follows.</summary>
    public static int WriteFieldHeader(Span<byte> destination, byte tag, int payloadLength)
    {
        destination[0] = tag;
        return 1 + WriteVarint(destination[1..], (uint)payloadLength);
    }

    /// <summary>Writes a whole length-delimited field with a one-byte tag into <paramref name="destination"/>.</summary>
    public static int WriteBytesField(Span<byte> destination, byte tag, ReadOnlySpan<byte> payload)
    {
        var position = WriteFieldHeader(destination, tag, payload.Length);
        payload.CopyTo(destination[position..]);
        return position + payload.Length;
    }

    /// <summary>Builds a message with <paramref name="write"/> and returns its bytes (cold path only: it allocates).</summary>
    public static byte[] Build(Action<ArrayBufferWriter<byte>> write)
    {
        var buffer = new ArrayBufferWriter<byte>(64);
        write(buffer);
        return buffer.WrittenSpan.ToArray();
    }
}
