using System.Buffers;

namespace Canary.Sidecar.Processing;

/// <summary>
/// Protocol Buffers writer for answers built ahead of time (when a rollout table is applied) or, on the body paths,
/// into a pooled buffer. Nested messages are written by building their bytes first; callers keep nesting shallow.
/// </summary>
internal static class WireWriter
{
    public static void WriteTag(IBufferWriter<byte> output, int fieldNumber, WireType wireType) =>
        WriteVarint(output, ((ulong)fieldNumber << 3) | (ulong)wireType);

    public static void WriteVarint(IBufferWriter<byte> output, ulong value)
    {
        var span = output.GetSpan(10);
        var i = 0;
        while (value >= 0x80)
        {
            span[i++] = (byte)(value | 0x80);
            value >>= 7;
        }

        span[i++] = (byte)value;
        output.Advance(i);
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

    /// <summary>Builds a message with <paramref name="write"/> and returns its bytes (cold path only: it allocates).</summary>
    public static byte[] Build(Action<ArrayBufferWriter<byte>> write)
    {
        var buffer = new ArrayBufferWriter<byte>(64);
        write(buffer);
        return buffer.WrittenSpan.ToArray();
    }
}
