using System.Globalization;
using System.Text;

namespace Canary.Sidecar.UnitTests.ModelRewrite;

/// <summary>
/// A seeded generator of valid JSON documents (objects, arrays, escaped and non-ASCII strings, numbers, literals,
/// random whitespace) whose top-level object holds a <c>"model"</c> member in a chosen shape, recording where its value is.
/// </summary>
internal sealed class RandomJsonDocument
{
    private static readonly string[] Whitespace = ["", "", "", " ", "  ", "\n", "\t", "\r\n", "\n    "];
    private static readonly string[] ModelKeySpellings = ["model", "mod\\u0065l", "\\u006dodel", "\\u006D\\u006F\\u0064\\u0065\\u006C", "m\\u006fdel"];
    private static readonly string[] UnicodeSamples = ["é", "ß", "中", "文", "😀", "𝄞", "Ω", "\u00a0", "\u2028", "ﬁ"];

    private readonly Random _random;
    private readonly List<byte> _bytes = [];
    private bool _nestedModelWritten;

    private RandomJsonDocument(int seed) => _random = new Random(seed);

    public byte[] Bytes { get; private set; } = [];

    /// <summary>Token bounds of the top-level model string, quotes included (only for <see cref="TopLevelModelShape.SingleString"/>).</summary>
    public int ValueStart { get; private set; } = -1;

    public int ValueEnd { get; private set; } = -1;

    /// <summary>The decoded text of the top-level model string.</summary>
    public string Value { get; private set; } = "";

    public TopLevelModelShape Shape { get; private set; }

    /// <summary>True when some nested object has a "model" member.</summary>
    public bool HasNestedModel => _nestedModelWritten;

    public static RandomJsonDocument Generate(int seed, TopLevelModelShape shape)
    {
        var document = new RandomJsonDocument(seed) { Shape = shape };
        document.WriteDocument(shape);
        document.Bytes = [.. document._bytes];
        return document;
    }

    private void WriteDocument(TopLevelModelShape shape)
    {
        Space();
        Append("{");
        var members = _random.Next(0, 7);
        var modelSlots = shape switch
        {
            TopLevelModelShape.SingleString or TopLevelModelShape.NotString => 1,
            TopLevelModelShape.Duplicate => 2,
            _ => 0,
        };
        var total = members + modelSlots;
        var slots = new bool[total];
        for (var placed = 0; placed < modelSlots;)
        {
            var slot = _random.Next(total);
            if (!slots[slot])
            {
                slots[slot] = true;
                placed++;
            }
        }

        var forceNested = shape == TopLevelModelShape.NestedOnly;
        for (var i = 0; i < total; i++)
        {
            if (i > 0)
            {
                Append(",");
            }

            Space();
            if (slots[i])
            {
                Append("\"" + ModelKeySpellings[_random.Next(ModelKeySpellings.Length)] + "\"");
                Space();
                Append(":");
                Space();
                WriteModelValue(shape);
            }
            else if (forceNested)
            {
                forceNested = false;
                WriteRandomKey();
                Space();
                Append(":");
                Space();
                WriteObjectWithModel(depth: 1);
            }
            else
            {
                WriteRandomKey();
                Space();
                Append(":");
                Space();
                WriteValue(depth: 1);
            }

            Space();
        }

        if (forceNested)
        {
            if (total > 0)
            {
                Append(",");
            }

            WriteRandomKey();
            Append(":");
            WriteObjectWithModel(depth: 1);
        }

        Append("}");
        Space();
    }

    private void WriteModelValue(TopLevelModelShape shape)
    {
        if (shape == TopLevelModelShape.SingleString)
        {
            ValueStart = _bytes.Count;
            Value = WriteString(maxLength: 12);
            ValueEnd = _bytes.Count;
            return;
        }

        if (shape == TopLevelModelShape.Duplicate && _random.Next(2) == 0)
        {
            WriteString(maxLength: 8);
            return;
        }

        if (shape == TopLevelModelShape.Duplicate)
        {
            WriteValue(depth: 1);
            return;
        }

        // NotString: anything but a string.
        switch (_random.Next(5))
        {
            case 0:
                WriteNumber();
                break;
            case 1:
                Append(_random.Next(3) switch { 0 => "true", 1 => "false", _ => "null" });
                break;
            case 2:
                WriteObject(depth: 1);
                break;
            default:
                WriteArray(depth: 1);
                break;
        }
    }

    private void WriteValue(int depth)
    {
        var choice = depth >= 5 ? _random.Next(4) : _random.Next(7);
        switch (choice)
        {
            case 0:
                WriteString(maxLength: 40);
                break;
            case 1:
                WriteNumber();
                break;
            case 2:
                Append(_random.Next(3) switch { 0 => "true", 1 => "false", _ => "null" });
                break;
            case 3:
                WriteString(maxLength: 6);
                break;
            case 4:
                WriteArray(depth);
                break;
            case 5:
                if (_random.Next(4) == 0)
                {
                    WriteObjectWithModel(depth);
                }
                else
                {
                    WriteObject(depth);
                }

                break;
            default:
                WriteObject(depth);
                break;
        }
    }

    private void WriteObject(int depth)
    {
        Append("{");
        var count = _random.Next(0, 5);
        for (var i = 0; i < count; i++)
        {
            if (i > 0)
            {
                Append(",");
            }

            Space();
            WriteRandomKey();
            Space();
            Append(":");
            Space();
            WriteValue(depth + 1);
            Space();
        }

        Append("}");
    }

    /// <summary>A nested object with a "model" member (any value), which must never be touched.</summary>
    private void WriteObjectWithModel(int depth)
    {
        _nestedModelWritten = true;
        Append("{");
        Space();
        if (_random.Next(2) == 0)
        {
            WriteRandomKey();
            Append(":");
            WriteValue(depth + 1);
            Append(",");
        }

        Append("\"" + ModelKeySpellings[_random.Next(ModelKeySpellings.Length)] + "\"");
        Space();
        Append(":");
        Space();
        WriteValue(depth + 1);
        Space();
        Append("}");
    }

    private void WriteArray(int depth)
    {
        Append("[");
        var count = _random.Next(0, 5);
        for (var i = 0; i < count; i++)
        {
            if (i > 0)
            {
                Append(",");
            }

            Space();
            WriteValue(depth + 1);
            Space();
        }

        Append("]");
    }

    private void WriteRandomKey()
    {
        while (true)
        {
            var start = _bytes.Count;
            var decoded = WriteString(maxLength: 8);
            if (decoded != "model")
            {
                return;
            }

            _bytes.RemoveRange(start, _bytes.Count - start);
        }
    }

    /// <summary>Writes a JSON string with random escapes and returns what it decodes to.</summary>
    private string WriteString(int maxLength)
    {
        var decoded = new StringBuilder();
        var encoded = new StringBuilder("\"");
        var length = _random.Next(0, maxLength + 1);
        for (var i = 0; i < length; i++)
        {
            var kind = _random.Next(10);
            string text = kind switch
            {
                < 5 => ((char)_random.Next('a', 'z' + 1)).ToString(),
                5 => ((char)_random.Next(0x20, 0x7F)).ToString(),
                6 => UnicodeSamples[_random.Next(UnicodeSamples.Length)],
                7 => ((char)_random.Next(0, 0x20)).ToString(),
                8 => _random.Next(4) switch { 0 => "\"", 1 => "\\", 2 => "/", _ => "\b" },
                _ => ((char)_random.Next('0', '9' + 1)).ToString(),
            };
            decoded.Append(text);
            encoded.Append(Encode(text));
        }

        encoded.Append('"');
        Append(encoded.ToString());
        return decoded.ToString();
    }

    private string Encode(string text)
    {
        if (_random.Next(6) == 0)
        {
            // Any character, surrogate pairs included, may be written as \uXXXX escapes in either hex case.
            var upper = _random.Next(2) == 0;
            var builder = new StringBuilder();
            foreach (var c in text)
            {
                builder.Append("\\u").Append(((int)c).ToString(upper ? "X4" : "x4", CultureInfo.InvariantCulture));
            }

            return builder.ToString();
        }

        return text switch
        {
            "\"" => "\\\"",
            "\\" => "\\\\",
            "/" => _random.Next(2) == 0 ? "/" : "\\/",
            "\b" => "\\b",
            "\n" => "\\n",
            "\r" => "\\r",
            "\t" => "\\t",
            "\f" => "\\f",
            _ when text.Length == 1 && text[0] < 0x20 => "\\u" + ((int)text[0]).ToString("x4", CultureInfo.InvariantCulture),
            _ => text,
        };
    }

    private void WriteNumber()
    {
        var builder = new StringBuilder();
        if (_random.Next(3) == 0)
        {
            builder.Append('-');
        }

        if (_random.Next(4) == 0)
        {
            builder.Append('0');
        }
        else
        {
            builder.Append((char)_random.Next('1', '9' + 1));
            var digits = _random.Next(0, 8);
            for (var i = 0; i < digits; i++)
            {
                builder.Append((char)_random.Next('0', '9' + 1));
            }
        }

        if (_random.Next(3) == 0)
        {
            builder.Append('.');
            var digits = _random.Next(1, 6);
            for (var i = 0; i < digits; i++)
            {
                builder.Append((char)_random.Next('0', '9' + 1));
            }
        }

        if (_random.Next(4) == 0)
        {
            builder.Append(_random.Next(2) == 0 ? 'e' : 'E');
            var sign = _random.Next(3);
            if (sign > 0)
            {
                builder.Append(sign == 1 ? '+' : '-');
            }

            builder.Append((char)_random.Next('0', '9' + 1));
            if (_random.Next(2) == 0)
            {
                builder.Append((char)_random.Next('0', '9' + 1));
            }
        }

        Append(builder.ToString());
    }

    private void Space() => Append(Whitespace[_random.Next(Whitespace.Length)]);

    private void Append(string text) => _bytes.AddRange(Encoding.UTF8.GetBytes(text));
}
