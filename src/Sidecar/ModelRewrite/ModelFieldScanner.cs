using System.Text.Json;
using System.Text.Unicode;
using Canary.Sidecar.Model;

namespace Canary.Sidecar.ModelRewrite;

/// <summary>Finds the top-level <c>"model"</c> string of a complete JSON body while validating the whole document, without copying it.</summary>
internal static class ModelFieldScanner
{
    private static ReadOnlySpan<byte> ModelKey => "model"u8;

    /// <summary>
    /// Scans <paramref name="body"/>. Returns <see cref="ModelRewriteResult.Rewritten"/> when a single top-level
    /// <c>"model"</c> string exists, differs from <paramref name="target"/> and equals <paramref name="source"/> (an empty
    /// source accepts any model); <see cref="ModelRewriteResult.AlreadyTarget"/> when it equals the target;
    /// <see cref="ModelRewriteResult.OtherModel"/> when it equals neither (in these three cases <paramref name="location"/>
    /// is set); otherwise the reason the body must be left alone. Names are compared unescaped, as UTF-8.
    /// </summary>
    public static ModelRewriteResult Scan(
        ReadOnlySpan<byte> body,
        ReadOnlySpan<byte> target,
        ReadOnlySpan<byte> source,
        in ModelRewriteLimits limits,
        out ModelValueLocation location)
    {
        location = default;
        if (body.Length > limits.MaxBodyBytes)
        {
            return ModelRewriteResult.OverLimit;
        }

        // Most non-JSON bodies (form data, protobuf, plain text) are rejected here, before the reader would throw.
        // Utf8JsonReader does not check the UTF-8 inside strings, and RFC 8259 JSON text is UTF-8; Utf8.IsValid is vectorized.
        if (!StartsLikeJson(body) || !Utf8.IsValid(body))
        {
            return ModelRewriteResult.NotJson;
        }

        try
        {
            return ScanValidated(body, target, source, limits, out location);
        }
        catch (JsonException)
        {
            // Utf8JsonReader reports malformed input only by throwing; this path is off the success path.
            location = default;
            return ModelRewriteResult.NotJson;
        }
    }

    private static ModelRewriteResult ScanValidated(
        ReadOnlySpan<byte> body,
        ReadOnlySpan<byte> target,
        ReadOnlySpan<byte> source,
        in ModelRewriteLimits limits,
        out ModelValueLocation location)
    {
        location = default;
        var reader = new Utf8JsonReader(body, new JsonReaderOptions
        {
            CommentHandling = JsonCommentHandling.Disallow,
            AllowTrailingCommas = false,
            // One level deeper than the limit, so the limit is reported by the loop below as OverLimit, not thrown as NotJson.
            MaxDepth = limits.MaxDepth + 1,
        });

        var topLevelCount = 0;
        var nestedSeen = false;
        var notString = false;
        while (reader.Read())
        {
            switch (reader.TokenType)
            {
                case JsonTokenType.StartObject:
                case JsonTokenType.StartArray:
                    // CurrentDepth of a start token is the depth outside it, so the container itself is one deeper.
                    if (reader.CurrentDepth >= limits.MaxDepth)
                    {
                        return ModelRewriteResult.OverLimit;
                    }

                    break;
                case JsonTokenType.PropertyName:
                    if (!TextEquals(ref reader, ModelKey))
                    {
                        break;
                    }

                    // Members of the top-level object are at depth 1; a top-level array puts its objects' members deeper.
                    if (reader.CurrentDepth != 1)
                    {
                        nestedSeen = true;
                        break;
                    }

                    topLevelCount++;
                    reader.Read();
                    if (reader.TokenType == JsonTokenType.String)
                    {
                        if (topLevelCount == 1)
                        {
                            // TokenStartIndex is at the opening quote; after a string, BytesConsumed is just past the closing one.
                            location = new ModelValueLocation(
                                (int)reader.TokenStartIndex,
                                (int)reader.BytesConsumed,
                                TextEquals(ref reader, target),
                                source.IsEmpty || TextEquals(ref reader, source));
                        }
                    }
                    else
                    {
                        notString = true;
                        if (reader.TokenType is JsonTokenType.StartObject or JsonTokenType.StartArray
                            && reader.CurrentDepth >= limits.MaxDepth)
                        {
                            return ModelRewriteResult.OverLimit;
                        }
                    }

                    break;
            }
        }

        if (topLevelCount > 1)
        {
            location = default;
            return ModelRewriteResult.DuplicateModel;
        }

        if (notString)
        {
            return ModelRewriteResult.ModelNotString;
        }

        if (topLevelCount == 0)
        {
            return nestedSeen ? ModelRewriteResult.ModelOnlyNested : ModelRewriteResult.NoModel;
        }

        if (location.EqualsTarget)
        {
            return ModelRewriteResult.AlreadyTarget;
        }

        return location.EqualsSource ? ModelRewriteResult.Rewritten : ModelRewriteResult.OtherModel;
    }

    /// <summary>Compares the current string or property name with <paramref name="text"/>, escapes resolved.</summary>
    private static bool TextEquals(ref Utf8JsonReader reader, ReadOnlySpan<byte> text)
    {
        if (!reader.ValueIsEscaped)
        {
            return reader.ValueSpan.SequenceEqual(text);
        }

        try
        {
            return reader.ValueTextEquals(text);
        }
        catch (InvalidOperationException)
        {
            // A lone surrogate escape ("\ud800") is valid JSON grammar but cannot be unescaped; it equals no UTF-8 text.
            return false;
        }
    }

    private static bool StartsLikeJson(ReadOnlySpan<byte> body)
    {
        var first = body.IndexOfAnyExcept(" \t\r\n"u8);
        if (first < 0)
        {
            return false;
        }

        var b = body[first];
        return b is (byte)'{' or (byte)'[' or (byte)'"' or (byte)'-' or (byte)'t' or (byte)'f' or (byte)'n' or (>= (byte)'0' and <= (byte)'9');
    }
}
