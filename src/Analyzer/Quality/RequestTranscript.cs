using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Canary.Analyzer.Quality;

/// <summary>
/// Turns a stored request body into what the judge reads: the conversation (system prompt, messages, prompt) as
/// "role: text" lines, and nothing else of the request. The model name, and any other field that could tell the arm
/// apart (metadata, a user id, sampling settings), never reaches the judge. Handles OpenAI chat completions, responses
/// and completions, and Anthropic messages, with string or typed-part content. A body that is not JSON (cut at the
/// capture bound mid-value) is passed on as text with every <c>"model": "..."</c> pair blanked out.
/// </summary>
internal static partial class RequestTranscript
{
    public static string Of(string requestBody)
    {
        ArgumentNullException.ThrowIfNull(requestBody);
        try
        {
            using var document = JsonDocument.Parse(requestBody);
            if (document.RootElement.ValueKind == JsonValueKind.Object && Conversation(document.RootElement) is { Length: > 0 } conversation)
            {
                return conversation;
            }
        }
        catch (JsonException)
        {
            // Cut or not JSON: fall through to the text, model names removed.
        }

        return ModelField().Replace(requestBody, "\"model\":\"(hidden)\"");
    }

    private static string? Conversation(JsonElement root)
    {
        var text = new StringBuilder();
        // Anthropic's system prompt and the responses API's instructions sit beside the messages.
        AppendTurn(text, "system", root, "system");
        AppendTurn(text, "system", root, "instructions");
        if (root.TryGetProperty("messages", out var messages) && messages.ValueKind == JsonValueKind.Array)
        {
            AppendMessages(text, messages);
        }

        if (root.TryGetProperty("input", out var input))
        {
            if (input.ValueKind == JsonValueKind.Array)
            {
                AppendMessages(text, input);
            }
            else
            {
                AppendTurn(text, "user", root, "input");
            }
        }

        AppendTurn(text, "user", root, "prompt");
        return text.Length == 0 ? null : text.ToString().TrimEnd();
    }

    private static void AppendMessages(StringBuilder text, JsonElement messages)
    {
        foreach (var message in messages.EnumerateArray())
        {
            if (message.ValueKind != JsonValueKind.Object)
            {
                continue;
            }

            var role = message.TryGetProperty("role", out var r) && r.ValueKind == JsonValueKind.String ? r.GetString()! : "user";
            AppendTurn(text, role, message, "content");
        }
    }

    private static void AppendTurn(StringBuilder text, string role, JsonElement owner, string property)
    {
        if (!owner.TryGetProperty(property, out var value) || ContentText(value) is not { Length: > 0 } content)
        {
            return;
        }

        text.Append(role).Append(": ").Append(content).Append('\n');
    }

    /// <summary>A string, or the text of an array of parts (<c>{"type":"text","text":...}</c>); other parts are named, not shown.</summary>
    private static string? ContentText(JsonElement value)
    {
        switch (value.ValueKind)
        {
            case JsonValueKind.String:
                return value.GetString();
            case JsonValueKind.Array:
                var parts = new List<string>();
                foreach (var part in value.EnumerateArray())
                {
                    if (part.ValueKind == JsonValueKind.String)
                    {
                        parts.Add(part.GetString()!);
                    }
                    else if (part.ValueKind == JsonValueKind.Object)
                    {
                        if (part.TryGetProperty("text", out var t) && t.ValueKind == JsonValueKind.String)
                        {
                            parts.Add(t.GetString()!);
                        }
                        else if (part.TryGetProperty("type", out var type) && type.ValueKind == JsonValueKind.String)
                        {
                            parts.Add($"[{type.GetString()}]");
                        }
                    }
                }

                return string.Join("\n", parts);
            default:
                return null;
        }
    }

    [GeneratedRegex("\"model\"\\s*:\\s*\"(?:[^\"\\\\]|\\\\.)*\"?", RegexOptions.CultureInvariant)]
    private static partial Regex ModelField();
}
