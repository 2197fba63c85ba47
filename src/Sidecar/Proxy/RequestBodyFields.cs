using System.Text.Json;
using System.Text.Unicode;

namespace Canary.Sidecar.Proxy;

/// <summary>
/// What the proxy reads from a JSON request body in one pass: the top-level <c>"model"</c> (the route key) and the
/// first present user-key field (<c>user</c>, <c>metadata.user_id</c>, or as configured). Values must be non-empty
/// strings; anything else reads as absent, as header values do. A body that is not JSON gives nothing and is
/// forwarded as it came. Member names and values are compared and returned unescaped.
/// </summary>
internal ref struct RequestBodyFields
{
    /// <summary>Deeper documents are not requests; the bound also keeps the reader's depth in its supported range.</summary>
    private const int MaxDepth = 64;

    private static ReadOnlySpan<byte> ModelKey => "model"u8;

    /// <summary>The body is one well-formed JSON document (UTF-8, strict).</summary>
    public bool IsJson;

    /// <summary>The top-level <c>model</c> string; empty when absent, not a string, or given twice.</summary>
    public ReadOnlySpan<byte> Model;

    /// <summary>The value of the first field of the configured list that the body carries.</summary>
    public ReadOnlySpan<byte> UserKey;

    /// <summary>
    /// Reads <paramref name="body"/>. Escaped values are unescaped into a new array (rare: clients write plain
    /// strings); plain ones are slices of the body.
    /// </summary>
    public static RequestBodyFields Read(ReadOnlySpan<byte> body, byte[][][] userKeyPaths)
    {
        var fields = default(RequestBodyFields);
        if (!StartsLikeJsonObject(body) || !Utf8.IsValid(body))
        {
            return fields;
        }

        try
        {
            fields.Scan(body, userKeyPaths);
        }
        catch (JsonException)
        {
            // Utf8JsonReader reports malformed input only by throwing; this path is off the success path.
            return default;
        }

        return fields;
    }

    private void Scan(ReadOnlySpan<byte> body, byte[][][] userKeyPaths)
    {
        var reader = new Utf8JsonReader(body, new JsonReaderOptions
        {
            CommentHandling = JsonCommentHandling.Disallow,
            AllowTrailingCommas = false,
            MaxDepth = MaxDepth,
        });

        // For each path, how many of its leading names the members enclosing the current one match; arrays on the
        // way down break every path (a path names object members only).
        Span<int> matched = stackalloc int[userKeyPaths.Length];
        ulong arrayDepths = 0;
        var userKeyRank = int.MaxValue;
        var models = 0;
        var memberDepth = -1;
        ReadOnlySpan<byte> model = default;
        ReadOnlySpan<byte> userKey = default;
        while (reader.Read())
        {
            switch (reader.TokenType)
            {
                case JsonTokenType.StartArray:
                    arrayDepths |= 1UL << Math.Min(reader.CurrentDepth, 63);
                    memberDepth = -1;
                    break;
                case JsonTokenType.EndArray:
                    arrayDepths &= ~(1UL << Math.Min(reader.CurrentDepth, 63));
                    break;
                case JsonTokenType.PropertyName:
                    // Members of the top-level object are at depth 1.
                    var depth = reader.CurrentDepth;
                    var underArray = (arrayDepths & ((1UL << Math.Min(depth, 63)) - 1)) != 0;
                    memberDepth = underArray ? -1 : depth;
                    if (underArray)
                    {
                        break;
                    }

                    for (var p = 0; p < userKeyPaths.Length; p++)
                    {
                        var path = userKeyPaths[p];
                        matched[p] = Math.Min(matched[p], depth - 1);
                        if (matched[p] == depth - 1 && depth <= path.Length && NameEquals(ref reader, path[depth - 1]))
                        {
                            matched[p] = depth;
                        }
                    }

                    if (depth == 1 && NameEquals(ref reader, ModelKey))
                    {
                        models++;
                        memberDepth = 0;
                    }

                    break;
                case JsonTokenType.String when memberDepth >= 0:
                    if (memberDepth == 0)
                    {
                        model = reader.HasValueSequence ? default : Value(body, ref reader);
                        memberDepth = -1;
                        break;
                    }

                    for (var p = 0; p < userKeyPaths.Length && p < userKeyRank; p++)
                    {
                        if (userKeyPaths[p].Length == memberDepth && matched[p] == memberDepth)
                        {
                            var value = Value(body, ref reader);
                            if (!value.IsEmpty)
                            {
                                userKey = value;
                                userKeyRank = p;
                            }

                            break;
                        }
                    }

                    memberDepth = -1;
                    break;
                default:
                    memberDepth = -1;
                    break;
            }
        }

        IsJson = true;
        Model = models == 1 ? model : default;
        UserKey = userKey;
    }

    /// <summary>The current string token's value: a slice of <paramref name="body"/>, or unescaped into a new array.</summary>
    private static ReadOnlySpan<byte> Value(ReadOnlySpan<byte> body, scoped ref Utf8JsonReader reader)
    {
        if (!reader.ValueIsEscaped)
        {
            // The token starts at its opening quote; the reader reads one contiguous span, so the value is in the body.
            return body.Slice((int)reader.TokenStartIndex + 1, reader.ValueSpan.Length);
        }

        var unescaped = new byte[reader.ValueSpan.Length];
        try
        {
            var written = reader.CopyString(unescaped);
            return unescaped.AsSpan(0, written);
        }
        catch (InvalidOperationException)
        {
            // A lone surrogate escape ("\ud800") is valid JSON grammar but has no UTF-8 form: no usable value.
            return default;
        }
    }

    private static bool NameEquals(ref Utf8JsonReader reader, ReadOnlySpan<byte> name)
    {
        if (!reader.ValueIsEscaped)
        {
            return reader.ValueSpan.SequenceEqual(name);
        }

        try
        {
            return reader.ValueTextEquals(name);
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }

    private static bool StartsLikeJsonObject(ReadOnlySpan<byte> body)
    {
        var first = body.IndexOfAnyExcept(" \t\r\n"u8);
        return first >= 0 && body[first] == (byte)'{';
    }
}
