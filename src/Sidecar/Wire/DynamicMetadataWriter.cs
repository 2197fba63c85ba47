namespace Canary.Sidecar.Wire;

/// <summary>
/// Encodes the <c>dynamic_metadata</c> field (8) of a <c>ProcessingResponse</c>: a <c>google.protobuf.Struct</c> whose
/// one top-level key is a namespace, holding a Struct of string fields. Envoy writes each top-level key it is allowed
/// to receive (<c>metadata_options.receiving_namespaces.untyped</c>) into the request's dynamic metadata by merging it
/// into what the namespace already holds, so a later answer can overwrite single fields.
/// </summary>
/// <remarks>
/// Answers are built when a rollout table is applied, several per rollout, so the field is sized first and written in
/// one pass into an array of exactly that size: building nested messages apart and copying them made applying a
/// table of thousands of rollouts several times slower. Every tag here fits in one byte.
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

    /// <summary>Bytes of the whole field 8 holding <paramref name="fields"/> under <paramref name="metadataNamespace"/>.</summary>
    public static int FieldSize(ReadOnlySpan<byte> metadataNamespace, ReadOnlySpan<MetadataString> fields) =>
        WireWriter.FieldSize(OuterStructLength(metadataNamespace, fields));

    /// <summary>A new array: <paramref name="prefix"/> (an encoded ProcessingResponse) followed by the field; the
    /// fields of one message may come in any order on the wire.</summary>
    public static byte[] Append(ReadOnlySpan<byte> prefix, ReadOnlySpan<byte> metadataNamespace, ReadOnlySpan<MetadataString> fields)
    {
        var result = new byte[prefix.Length + FieldSize(metadataNamespace, fields)];
        prefix.CopyTo(result);
        var written = Write(result.AsSpan(prefix.Length), metadataNamespace, fields);
        return written == result.Length - prefix.Length ? result : throw new InvalidOperationException("dynamic metadata size mismatch");
    }

    /// <summary>Writes the whole field 8 into <paramref name="destination"/> (at least <see cref="FieldSize"/> bytes).</summary>
    public static int Write(Span<byte> destination, ReadOnlySpan<byte> metadataNamespace, ReadOnlySpan<MetadataString> fields)
    {
        var inner = InnerStructLength(fields);
        var value = WireWriter.FieldSize(inner);
        var entry = WireWriter.FieldSize(metadataNamespace.Length) + WireWriter.FieldSize(value);
        var outer = WireWriter.FieldSize(entry);
        var position = WireWriter.WriteFieldHeader(destination, WireWriter.LengthDelimitedTag(ProcessingResponseDynamicMetadata), outer);
        position += WireWriter.WriteFieldHeader(destination[position..], WireWriter.LengthDelimitedTag(StructFields), entry);
        position += WireWriter.WriteBytesField(destination[position..], WireWriter.LengthDelimitedTag(EntryKey), metadataNamespace);
        position += WireWriter.WriteFieldHeader(destination[position..], WireWriter.LengthDelimitedTag(EntryValue), value);
        position += WireWriter.WriteFieldHeader(destination[position..], WireWriter.LengthDelimitedTag(ValueStruct), inner);
        foreach (var field in fields)
        {
            var stringValue = WireWriter.FieldSize(field.Value.Length);
            position += WireWriter.WriteFieldHeader(destination[position..], WireWriter.LengthDelimitedTag(StructFields), StringEntryLength(field));
            position += WireWriter.WriteBytesField(destination[position..], WireWriter.LengthDelimitedTag(EntryKey), field.Key);
            position += WireWriter.WriteFieldHeader(destination[position..], WireWriter.LengthDelimitedTag(EntryValue), stringValue);
            position += WireWriter.WriteBytesField(destination[position..], WireWriter.LengthDelimitedTag(ValueString), field.Value);
        }

        return position;
    }

    private static int OuterStructLength(ReadOnlySpan<byte> metadataNamespace, ReadOnlySpan<MetadataString> fields)
    {
        var value = WireWriter.FieldSize(InnerStructLength(fields));
        return WireWriter.FieldSize(WireWriter.FieldSize(metadataNamespace.Length) + WireWriter.FieldSize(value));
    }

    private static int InnerStructLength(ReadOnlySpan<MetadataString> fields)
    {
        var length = 0;
        foreach (var field in fields)
        {
            length += WireWriter.FieldSize(StringEntryLength(field));
        }

        return length;
    }

    private static int StringEntryLength(MetadataString field) =>
        WireWriter.FieldSize(field.Key.Length) + WireWriter.FieldSize(WireWriter.FieldSize(field.Value.Length));
}
