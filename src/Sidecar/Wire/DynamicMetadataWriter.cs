namespace Canary.Sidecar.Wire;

/// <summary>
/// Encodes the <c>dynamic_metadata</c> field (8) of a <c>ProcessingResponse</c>: a <c>google.protobuf.Struct</c> whose
/// one top-level key is a namespace, holding a Struct of string fields. Envoy writes each top-level key it is allowed
/// to receive (<c>metadata_options.receiving_namespaces.untyped</c>) into the request's dynamic metadata by merging it
/// into what the namespace already holds, so a later answer can overwrite single fields.
/// </summary>
/// <remarks>
/// Answers are built when a rollout table is applied, several per rollout, so each string field is encoded once
/// (<see cref="StringEntry"/>: an arm name is shared by every rollout between the same subsets, a reason by all) and an
/// answer is its prefix, the few length prefixes the nesting needs and a copy of each entry, written in one pass into
/// an array of exactly that size. Every tag here fits in one byte.
/// </remarks>
internal static class DynamicMetadataWriter
{
    private const int ProcessingResponseDynamicMetadata = 8;

    // google.protobuf.Struct.fields (a map: entries of key = 1, value = 2); Value.string_value = 3, struct_value = 5.
    private const int StructFields = 1;
    private const int EntryKey = 1;
    private const int EntryValue = 2;
    private const int ValueString = 3;
    private const int ValueStruct = 5;

    /// <summary>One string field of a Struct, encoded as it sits in <c>Struct.fields</c>: a map entry holding the key and a string Value.</summary>
    public static byte[] StringEntry(ReadOnlySpan<byte> key, ReadOnlySpan<byte> value)
    {
        var stringValue = WireWriter.FieldSize(value.Length);
        var entry = WireWriter.FieldSize(key.Length) + WireWriter.FieldSize(stringValue);
        var result = new byte[WireWriter.FieldSize(entry)];
        var position = WireWriter.WriteFieldHeader(result, WireWriter.LengthDelimitedTag(StructFields), entry);
        position += WireWriter.WriteBytesField(result.AsSpan(position), WireWriter.LengthDelimitedTag(EntryKey), key);
        position += WireWriter.WriteFieldHeader(result.AsSpan(position), WireWriter.LengthDelimitedTag(EntryValue), stringValue);
        position += WireWriter.WriteBytesField(result.AsSpan(position), WireWriter.LengthDelimitedTag(ValueString), value);
        return position == result.Length ? result : throw new InvalidOperationException("struct entry size mismatch");
    }

    /// <summary>Bytes of the whole field 8 holding <paramref name="entries"/> (from <see cref="StringEntry"/>) under <paramref name="metadataNamespace"/>.</summary>
    public static int FieldSize(ReadOnlySpan<byte> metadataNamespace, params ReadOnlySpan<byte[]> entries)
    {
        Lengths(metadataNamespace, entries, out _, out _, out var outer);
        return WireWriter.FieldSize(outer);
    }

    /// <summary>A new array: <paramref name="prefix"/> (an encoded ProcessingResponse) followed by the field; the
    /// fields of one message may come in any order on the wire.</summary>
    public static byte[] Append(ReadOnlySpan<byte> prefix, ReadOnlySpan<byte> metadataNamespace, params ReadOnlySpan<byte[]> entries)
    {
        var result = new byte[prefix.Length + FieldSize(metadataNamespace, entries)];
        var written = Write(result, prefix, metadataNamespace, entries);
        return written == result.Length ? result : throw new InvalidOperationException("dynamic metadata size mismatch");
    }

    /// <summary>Writes <paramref name="prefix"/> and the field into <paramref name="output"/> (at least the prefix
    /// and <see cref="FieldSize"/> bytes long); returns the bytes written.</summary>
    public static int Write(Span<byte> output, ReadOnlySpan<byte> prefix, ReadOnlySpan<byte> metadataNamespace, params ReadOnlySpan<byte[]> entries)
    {
        Lengths(metadataNamespace, entries, out var inner, out var namespaceEntry, out var outer);
        prefix.CopyTo(output);
        var destination = output[prefix.Length..];
        var position = WireWriter.WriteFieldHeader(destination, WireWriter.LengthDelimitedTag(ProcessingResponseDynamicMetadata), outer);
        position += WireWriter.WriteFieldHeader(destination[position..], WireWriter.LengthDelimitedTag(StructFields), namespaceEntry);
        position += WireWriter.WriteBytesField(destination[position..], WireWriter.LengthDelimitedTag(EntryKey), metadataNamespace);
        position += WireWriter.WriteFieldHeader(destination[position..], WireWriter.LengthDelimitedTag(EntryValue), WireWriter.FieldSize(inner));
        position += WireWriter.WriteFieldHeader(destination[position..], WireWriter.LengthDelimitedTag(ValueStruct), inner);
        foreach (var entry in entries)
        {
            entry.CopyTo(destination[position..]);
            position += entry.Length;
        }

        return prefix.Length + position;
    }

    // inner: the namespace's Struct; namespaceEntry: the top-level map entry (key and Value); outer: the top-level Struct.
    private static void Lengths(ReadOnlySpan<byte> metadataNamespace, ReadOnlySpan<byte[]> entries, out int inner, out int namespaceEntry, out int outer)
    {
        inner = 0;
        foreach (var entry in entries)
        {
            inner += entry.Length;
        }

        namespaceEntry = WireWriter.FieldSize(metadataNamespace.Length) + WireWriter.FieldSize(WireWriter.FieldSize(inner));
        outer = WireWriter.FieldSize(namespaceEntry);
    }
}
