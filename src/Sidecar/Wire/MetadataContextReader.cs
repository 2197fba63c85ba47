namespace Canary.Sidecar.Wire;

/// <summary>
/// Reads one string out of a request's <c>metadata_context</c> (an <c>envoy.config.core.v3.Metadata</c>: field 1
/// <c>filter_metadata</c>, a map from namespace to <c>google.protobuf.Struct</c>), following a path of keys through
/// nested Structs, straight off the wire: no allocation, bounds checked, never throws.
/// </summary>
/// <remarks>
/// Map semantics are protobuf's: a key present twice means its last entry. Anything but a string at the end of the
/// path (a number, a list, a Struct, null), an empty string, a missing key and malformed bytes all read as absent, so
/// a request whose metadata does not name the user is handled as one without a user key.
/// </remarks>
internal static class MetadataContextReader
{
    // Metadata.filter_metadata and Struct.fields are maps: repeated entries of key = 1, value = 2.
    private const int MapField = 1;
    private const int EntryKey = 1;
    private const int EntryValue = 2;

    // google.protobuf.Value oneof kind: null_value 1, number_value 2, string_value 3, bool_value 4, struct_value 5, list_value 6.
    private const int ValueString = 3;
    private const int ValueStruct = 5;

    public static bool TryReadString(ReadOnlySpan<byte> metadata, ReadOnlySpan<byte> metadataNamespace, byte[][] path, out ReadOnlySpan<byte> value)
    {
        value = default;
        if (path.Length == 0 || !TryFindEntry(metadata, metadataNamespace, out var current))
        {
            return false;
        }

        for (var i = 0; i < path.Length; i++)
        {
            if (!TryFindEntry(current, path[i], out var entryValue))
            {
                return false;
            }

            var last = i == path.Length - 1;
            if (!TryReadKind(entryValue, last ? ValueString : ValueStruct, out current))
            {
                return false;
            }
        }

        value = current;
        return !value.IsEmpty;
    }

    /// <summary>The value of the last map entry (field 1) whose key is <paramref name="key"/>; an entry without a value is an empty message.</summary>
    private static bool TryFindEntry(ReadOnlySpan<byte> message, ReadOnlySpan<byte> key, out ReadOnlySpan<byte> value)
    {
        value = default;
        var found = false;
        var reader = new WireReader(message);
        while (!reader.IsAtEnd)
        {
            if (!reader.TryReadTag(out var field, out var wireType))
            {
                return false;
            }

            if (field != MapField || wireType != WireType.LengthDelimited)
            {
                if (!reader.TrySkip(wireType))
                {
                    return false;
                }

                continue;
            }

            if (!reader.TryReadLengthDelimited(out var entry) || !TryReadEntry(entry, out var entryKey, out var entryValue))
            {
                return false;
            }

            if (entryKey.SequenceEqual(key))
            {
                value = entryValue;
                found = true;
            }
        }

        return found;
    }

    private static bool TryReadEntry(ReadOnlySpan<byte> entry, out ReadOnlySpan<byte> key, out ReadOnlySpan<byte> value)
    {
        key = default;
        value = default;
        var reader = new WireReader(entry);
        while (!reader.IsAtEnd)
        {
            if (!reader.TryReadTag(out var field, out var wireType))
            {
                return false;
            }

            if (wireType == WireType.LengthDelimited && field is EntryKey or EntryValue)
            {
                if (!reader.TryReadLengthDelimited(out var bytes))
                {
                    return false;
                }

                if (field == EntryKey)
                {
                    key = bytes;
                }
                else
                {
                    value = bytes;
                }
            }
            else if (!reader.TrySkip(wireType))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>True when the Value's kind (the last one on the wire, as for any oneof) is <paramref name="kind"/>; its bytes in <paramref name="payload"/>.</summary>
    private static bool TryReadKind(ReadOnlySpan<byte> value, int kind, out ReadOnlySpan<byte> payload)
    {
        payload = default;
        var lastKind = 0;
        var reader = new WireReader(value);
        while (!reader.IsAtEnd)
        {
            if (!reader.TryReadTag(out var field, out var wireType))
            {
                return false;
            }

            if (wireType == WireType.LengthDelimited)
            {
                if (!reader.TryReadLengthDelimited(out var bytes))
                {
                    return false;
                }

                if (field is >= 1 and <= 6)
                {
                    lastKind = field;
                    payload = bytes;
                }
            }
            else
            {
                if (!reader.TrySkip(wireType))
                {
                    return false;
                }

                if (field is >= 1 and <= 6)
                {
                    lastKind = field;
                    payload = default;
                }
            }
        }

        return lastKind == kind;
    }
}
