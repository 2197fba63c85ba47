using System.Text;

namespace Canary.Sidecar.Model;

/// <summary>A model name as request bodies carry it, prepared once: its UTF-8 bytes and its quoted, escaped JSON literal.</summary>
internal sealed class ModelName
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    public ModelName(string name)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        Name = name;
        // Strict encoding: a name with a lone surrogate is a configuration error, not something to write as U+FFFD.
        Utf8 = StrictUtf8.GetBytes(name);
        JsonLiteral = Escape(Utf8);
    }

    public string Name { get; }

    /// <summary>The name as UTF-8, unescaped; what a JSON string must decode to in order to equal this model.</summary>
    public byte[] Utf8 { get; }

    /// <summary>The name as a JSON string token, quotes included, escaped per RFC 8259 (only what must be escaped).</summary>
    public byte[] JsonLiteral { get; }

    public override string ToString() => Name;

    private static byte[] Escape(ReadOnlySpan<byte> utf8)
    {
        var length = 2;
        foreach (var b in utf8)
        {
            length += EscapedLength(b);
        }

        var literal = new byte[length];
        var position = 0;
        literal[position++] = (byte)'"';
        foreach (var b in utf8)
        {
            switch (EscapedLength(b))
            {
                case 1:
                    literal[position++] = b;
                    break;
                case 2:
                    literal[position++] = (byte)'\\';
                    literal[position++] = ShortEscape(b);
                    break;
                default:
                    "\\u00"u8.CopyTo(literal.AsSpan(position));
                    literal[position + 4] = HexDigit(b >> 4);
                    literal[position + 5] = HexDigit(b & 0xF);
                    position += 6;
                    break;
            }
        }

        literal[position] = (byte)'"';
        return literal;
    }

    // Bytes of a multi-byte UTF-8 sequence are all >= 0x80 and pass through unchanged: JSON strings may hold any code point.
    private static int EscapedLength(byte b) => b switch
    {
        (byte)'"' or (byte)'\\' or (byte)'\b' or (byte)'\f' or (byte)'\n' or (byte)'\r' or (byte)'\t' => 2,
        < 0x20 => 6,
        _ => 1,
    };

    private static byte ShortEscape(byte b) => b switch
    {
        (byte)'\b' => (byte)'b',
        (byte)'\f' => (byte)'f',
        (byte)'\n' => (byte)'n',
        (byte)'\r' => (byte)'r',
        (byte)'\t' => (byte)'t',
        _ => b,
    };

    private static byte HexDigit(int value) => (byte)(value < 10 ? '0' + value : 'a' + value - 10);
}
