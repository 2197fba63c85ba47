using Canary.Sidecar.Wire;
namespace Canary.Sidecar.Processing;

/// <summary>
/// Walks the headers of an encoded <c>HttpHeaders</c> (or <c>HttpTrailers</c>) message without allocating: each
/// step yields the key and the value bytes. Envoy sends values in <c>raw_value</c>; a <c>value</c>-only entry from an
/// older client is accepted too. Read <see cref="EndOfStream"/> and <see cref="IsMalformed"/> after the walk ends.
/// </summary>
internal ref struct HeaderEnumerator
{
    private const int HeaderMapField = 1;
    private const int EndOfStreamField = 3;

    private WireReader _message;
    private WireReader _map;
    private bool _inMap;

    public HeaderEnumerator(ReadOnlySpan<byte> httpHeaders)
    {
        _message = new WireReader(httpHeaders);
        _map = default;
        _inMap = false;
        EndOfStream = false;
        IsMalformed = false;
    }

    /// <summary><c>HttpHeaders.end_of_stream</c>: no body follows. Known once the walk has ended.</summary>
    public bool EndOfStream { get; private set; }

    /// <summary>The walk stopped early because the bytes were not valid protobuf.</summary>
    public bool IsMalformed { get; private set; }

    public bool MoveNext(out ReadOnlySpan<byte> key, out ReadOnlySpan<byte> value)
    {
        key = default;
        value = default;
        while (true)
        {
            if (_inMap)
            {
                if (!_map.IsAtEnd)
                {
                    if (!_map.TryReadTag(out var field, out var wireType))
                    {
                        return Fail();
                    }

                    if (field == 1 && wireType == WireType.LengthDelimited)
                    {
                        if (!_map.TryReadLengthDelimited(out var entry) || !TryReadHeaderValue(entry, out key, out value))
                        {
                            return Fail();
                        }

                        return true;
                    }

                    if (!_map.TrySkip(wireType))
                    {
                        return Fail();
                    }

                    continue;
                }

                _inMap = false;
            }

            if (_message.IsAtEnd)
            {
                return false;
            }

            if (!_message.TryReadTag(out var messageField, out var messageWireType))
            {
                return Fail();
            }

            if (messageField == HeaderMapField && messageWireType == WireType.LengthDelimited)
            {
                if (!_message.TryReadLengthDelimited(out var map))
                {
                    return Fail();
                }

                // A repeated sub-message field seen twice merges; walking both maps in turn is that merge.
                _map = new WireReader(map);
                _inMap = true;
            }
            else if (messageField == EndOfStreamField && messageWireType == WireType.Varint)
            {
                if (!_message.TryReadVarint(out var flag))
                {
                    return Fail();
                }

                EndOfStream = flag != 0;
            }
            else if (!_message.TrySkip(messageWireType))
            {
                return Fail();
            }
        }
    }

    private bool Fail()
    {
        IsMalformed = true;
        return false;
    }

    private static bool TryReadHeaderValue(ReadOnlySpan<byte> entry, out ReadOnlySpan<byte> key, out ReadOnlySpan<byte> value)
    {
        // Fast path for the shape Envoy sends: key (field 1) then raw_value (field 3), each under 128 bytes, nothing
        // else. Any other shape, or anything that does not add up exactly, takes the general loop below.
        if (entry.Length >= 4 && entry[0] == 0x0A && entry[1] < 0x80)
        {
            var keyLength = entry[1];
            var at = 2 + keyLength;
            if (at + 2 <= entry.Length && entry[at] == 0x1A && entry[at + 1] < 0x80 && at + 2 + entry[at + 1] == entry.Length)
            {
                key = entry.Slice(2, keyLength);
                value = entry[(at + 2)..];
                return true;
            }
        }

        key = default;
        value = default;
        ReadOnlySpan<byte> text = default;
        var hasRaw = false;
        var reader = new WireReader(entry);
        while (!reader.IsAtEnd)
        {
            if (!reader.TryReadTag(out var field, out var wireType))
            {
                return false;
            }

            if (wireType == WireType.LengthDelimited && field is 1 or 2 or 3)
            {
                if (!reader.TryReadLengthDelimited(out var bytes))
                {
                    return false;
                }

                switch (field)
                {
                    case 1:
                        key = bytes;
                        break;
                    case 2:
                        text = bytes;
                        break;
                    default:
                        value = bytes;
                        hasRaw = true;
                        break;
                }
            }
            else if (!reader.TrySkip(wireType))
            {
                return false;
            }
        }

        if (!hasRaw)
        {
            value = text;
        }

        return true;
    }
}
