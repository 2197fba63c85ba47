namespace Canary.Sidecar.Wire;

/// <summary>
/// Forward-only Protocol Buffers reader over a span: the hot path reads ext_proc messages with it instead of
/// materializing generated message objects. Every method checks bounds and returns false on malformed input; nothing
/// throws and nothing allocates.
/// </summary>
internal ref struct WireReader
{
    private readonly ReadOnlySpan<byte> _buffer;
    private int _position;

    public WireReader(ReadOnlySpan<byte> buffer)
    {
        _buffer = buffer;
        _position = 0;
    }

    public readonly bool IsAtEnd => _position >= _buffer.Length;

    /// <summary>Reads the next field tag; false at the end of input or on a malformed tag (check <see cref="IsAtEnd"/>).</summary>
    public bool TryReadTag(out int fieldNumber, out WireType wireType)
    {
        fieldNumber = 0;
        wireType = default;
        if (!TryReadVarint(out var tag))
        {
            return false;
        }

        // Field numbers are 1..2^29-1; zero or a wider value is not a valid tag.
        var number = tag >> 3;
        if (number == 0 || number > 0x1FFF_FFFF)
        {
            return false;
        }

        fieldNumber = (int)number;
        wireType = (WireType)(tag & 7);
        return true;
    }

    public bool TryReadVarint(out ulong value)
    {
        value = 0;
        var shift = 0;
        while (_position < _buffer.Length)
        {
            var b = _buffer[_position++];
            // The tenth byte may only carry the top bit of a 64-bit value.
            if (shift == 63 && b > 1)
            {
                return false;
            }

            value |= (ulong)(b & 0x7F) << shift;
            if (b < 0x80)
            {
                return true;
            }

            shift += 7;
            if (shift > 63)
            {
                return false;
            }
        }

        return false;
    }

    public bool TryReadLengthDelimited(out ReadOnlySpan<byte> value)
    {
        value = default;
        if (!TryReadVarint(out var length) || length > (ulong)(_buffer.Length - _position))
        {
            return false;
        }

        value = _buffer.Slice(_position, (int)length);
        _position += (int)length;
        return true;
    }

    /// <summary>Skips the value of a field this reader does not use; groups are rejected as malformed (proto3 never emits them).</summary>
    public bool TrySkip(WireType wireType)
    {
        switch (wireType)
        {
            case WireType.Varint:
                return TryReadVarint(out _);
            case WireType.Fixed64:
                return Advance(8);
            case WireType.Fixed32:
                return Advance(4);
            case WireType.LengthDelimited:
                return TryReadLengthDelimited(out _);
            default:
                return false;
        }
    }

    private bool Advance(int count)
    {
        if (_buffer.Length - _position < count)
        {
            return false;
        }

        _position += count;
        return true;
    }
}
