namespace Canary.Sidecar.ModelRewrite;

/// <summary>Protobuf wire-format primitives for hand-written messages: varints, one-byte tags, length prefixes.</summary>
internal static class ProtoWire
{
    private const int WireTypeVarint = 0;
    private const int WireTypeLengthDelimited = 2;

    /// <summary>Tag byte of a length-delimited field; field numbers 1-15 fit in one byte.</summary>
    public static byte LengthDelimitedTag(int field) => (byte)((field << 3) | WireTypeLengthDelimited);

    public static byte VarintTag(int field) => (byte)((field << 3) | WireTypeVarint);

    public static int VarintSize(uint value) => value switch
    {
        < 1u << 7 => 1,
        < 1u << 14 => 2,
        < 1u << 21 => 3,
        < 1u << 28 => 4,
        _ => 5,
    };

    /// <summary>Size of a whole length-delimited field (one-byte tag, length varint, payload).</summary>
    public static int FieldSize(int payloadLength) => 1 + VarintSize((uint)payloadLength) + payloadLength;

    public static int WriteVarint(Span<byte> destination, uint value)
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

    /// <summary>Writes a tag and a length prefix; the payload follows.</summary>
    public static int WriteFieldHeader(Span<byte> destination, byte tag, int payloadLength)
    {
        destination[0] = tag;
        return 1 + WriteVarint(destination[1..], (uint)payloadLength);
    }

    public static int WriteBytesField(Span<byte> destination, byte tag, ReadOnlySpan<byte> payload)
    {
        var position = WriteFieldHeader(destination, tag, payload.Length);
        payload.CopyTo(destination[position..]);
        return position + payload.Length;
    }
}
