using System.Text;
using System.Text.Json;
using Canary.Sidecar.Telemetry.Scanning;

namespace Canary.Sidecar.Quality;

/// <summary>
/// Assembles an answer's text from its response body, whole JSON or server-sent events, in any of the shapes the
/// telemetry scanner reads: OpenAI chat completions (<c>message.content</c>, <c>delta.content</c>, refusals), the
/// Responses API (<c>output_text</c> parts, <c>response.output_text.delta</c>) and Anthropic messages (<c>text</c>
/// blocks, <c>content_block_delta</c>). Runs on the sample writer, off the request path, over a body that may have been
/// cut at the sample's size bound: every event that parses contributes, the rest is skipped, and nothing throws.
/// </summary>
/// <remarks>
/// The scanner on the stream's thread reads usage without keeping text (it must not allocate); the preflight's parser
/// is strict about shapes because a malformed answer is its finding. Here a partial answer is still worth judging, so
/// this reader is tolerant on purpose.
/// </remarks>
internal static class AnswerText
{
    /// <summary>The answer's text, at most <paramref name="maxChars"/> characters.</summary>
    public static string Assemble(ReadOnlySpan<byte> body, ResponseBodyFormat? format, int maxChars) =>
        Assemble(body, format, maxChars, out _);

    /// <summary>The answer's text, at most <paramref name="maxChars"/> characters; <paramref name="truncated"/> says whether text was cut off.</summary>
    public static string Assemble(ReadOnlySpan<byte> body, ResponseBodyFormat? format, int maxChars, out bool truncated)
    {
        var text = new StringBuilder();
        if (format == ResponseBodyFormat.EventStream)
        {
            foreach (var data in EventData(body))
            {
                AppendDocument(data, text, streamed: true);
                if (text.Length > maxChars)
                {
                    // One character past the bound is enough to know the answer was cut.
                    break;
                }
            }
        }
        else
        {
            AppendDocument(body, text, streamed: false);
        }

        truncated = text.Length > maxChars;
        return truncated ? text.ToString(0, maxChars) : text.ToString();
    }

    /// <summary>The <c>data:</c> payloads of an event stream, one per event (multi-line data joined by newlines).</summary>
    private static List<byte[]> EventData(ReadOnlySpan<byte> body)
    {
        var events = new List<byte[]>();
        var current = new List<byte>();
        var hasData = false;
        while (!body.IsEmpty)
        {
            var end = body.IndexOf((byte)'\n');
            var line = end < 0 ? body : body[..end];
            body = end < 0 ? [] : body[(end + 1)..];
            if (!line.IsEmpty && line[^1] == (byte)'\r')
            {
                line = line[..^1];
            }

            if (line.IsEmpty)
            {
                Flush();
                continue;
            }

            if (line.StartsWith("data:"u8))
            {
                var value = line[5..];
                if (!value.IsEmpty && value[0] == (byte)' ')
                {
                    value = value[1..];
                }

                if (hasData)
                {
                    current.Add((byte)'\n');
                }

                current.AddRange(value);
                hasData = true;
            }
        }

        Flush();
        return events;

        void Flush()
        {
            if (hasData && !(current.Count == 6 && "[DONE]"u8.SequenceEqual(current.ToArray())))
            {
                events.Add([.. current]);
            }

            current.Clear();
            hasData = false;
        }
    }

    private static void AppendDocument(ReadOnlySpan<byte> json, StringBuilder text, bool streamed)
    {
        try
        {
            var reader = new Utf8JsonReader(json);
            using var document = JsonDocument.ParseValue(ref reader);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                return;
            }

            if (streamed)
            {
                AppendEvent(root, text);
            }
            else
            {
                AppendWhole(root, text);
            }
        }
        catch (JsonException)
        {
            // A cut or malformed document adds nothing; the others still count.
        }
    }

    private static void AppendWhole(JsonElement root, StringBuilder text)
    {
        if (Array(root, "choices") is { } choices)
        {
            foreach (var choice in choices.EnumerateArray())
            {
                if (Object(choice, "message") is { } message)
                {
                    Append(text, String(message, "content") ?? String(message, "refusal"));
                }
                else
                {
                    Append(text, String(choice, "text"));
                }
            }
        }
        else if (Array(root, "output") is { } output)
        {
            foreach (var item in output.EnumerateArray())
            {
                AppendParts(item, text);
            }
        }
        else if (Array(root, "content") is not null)
        {
            AppendParts(root, text);
        }
    }

    private static void AppendEvent(JsonElement root, StringBuilder text)
    {
        switch (String(root, "type"))
        {
            case "content_block_delta":
                Append(text, Object(root, "delta") is { } delta ? String(delta, "text") : null);
                return;
            case "response.output_text.delta" or "response.refusal.delta":
                Append(text, String(root, "delta"));
                return;
            case null:
                break;
            default:
                // Other typed events (message_start, response.completed, ...) repeat or announce; deltas carry the text.
                return;
        }

        if (Array(root, "choices") is { } choices)
        {
            foreach (var choice in choices.EnumerateArray())
            {
                if (Object(choice, "delta") is { } delta)
                {
                    Append(text, String(delta, "content") ?? String(delta, "refusal"));
                }
                else
                {
                    Append(text, String(choice, "text"));
                }
            }
        }
    }

    /// <summary>Text parts of an Anthropic message or a Responses output item: <c>content[].text</c>.</summary>
    private static void AppendParts(JsonElement holder, StringBuilder text)
    {
        if (Array(holder, "content") is not { } parts)
        {
            return;
        }

        foreach (var part in parts.EnumerateArray())
        {
            if (part.ValueKind == JsonValueKind.Object && String(part, "type") is "text" or "output_text" or "refusal")
            {
                Append(text, String(part, "text") ?? String(part, "refusal"));
            }
        }
    }

    private static void Append(StringBuilder text, string? part)
    {
        if (!string.IsNullOrEmpty(part))
        {
            text.Append(part);
        }
    }

    private static string? String(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static JsonElement? Object(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Object ? value : null;

    private static JsonElement? Array(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Array ? value : null;
}
