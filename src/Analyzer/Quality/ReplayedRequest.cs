using System.Text;
using System.Text.Json;
using Canary.Analyzer.Preflight;

namespace Canary.Analyzer.Quality;

/// <summary>
/// A stored sample's request made ready to send to the other version: the conversation of an OpenAI chat-completions
/// or an Anthropic messages body (system prompt, user and assistant turns, text only) and its max_tokens, as a
/// <see cref="TestCase"/> for the preflight's <see cref="ModelClient"/>, which writes it in the other version's own
/// protocol. Nothing else of the request is replayed (sampling settings, tools, metadata). A body cut at the capture
/// bound, one that is not a chat request, or one with non-text parts (images, tool calls) cannot be sent: the
/// other version would answer a different question.
/// </summary>
internal static class ReplayedRequest
{
    public static (TestCase? Case, string? Problem) From(JudgedSample sample, int defaultMaxTokens)
    {
        ArgumentNullException.ThrowIfNull(sample);
        if (sample.RequestTruncated)
        {
            return (null, "the stored request was cut at the capture bound; it cannot be sent to the other version");
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(sample.RequestBody);
        }
        catch (JsonException)
        {
            return (null, "the stored request is not JSON; it cannot be sent to the other version");
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("messages", out var messages) || messages.ValueKind != JsonValueKind.Array)
            {
                return (null, "the stored request is not a chat request (no messages); only chat completions and Anthropic messages are paired");
            }

            var system = new StringBuilder();
            if (root.TryGetProperty("system", out var anthropicSystem))
            {
                if (Text(anthropicSystem) is not { } text)
                {
                    return (null, "the stored request's system prompt has non-text parts; it cannot be sent to the other version");
                }

                system.Append(text);
            }

            var turns = new List<ChatMessage>();
            foreach (var message in messages.EnumerateArray())
            {
                var role = message.ValueKind == JsonValueKind.Object && message.TryGetProperty("role", out var r) && r.ValueKind == JsonValueKind.String ? r.GetString() : null;
                if (role is null || !message.TryGetProperty("content", out var content) || Text(content) is not { } text)
                {
                    return (null, "the stored request has a message that is not plain text (tool call, image or no content); it cannot be sent to the other version");
                }

                if (role is "system" or "developer")
                {
                    system.Append(system.Length > 0 ? "\n" : "").Append(text);
                }
                else if (role is "user" or "assistant")
                {
                    turns.Add(new ChatMessage(role, text));
                }
                else
                {
                    return (null, $"the stored request has a \"{Shorten(role)}\" message; only system, user and assistant turns are sent to the other version");
                }
            }

            if (turns.Count == 0)
            {
                return (null, "the stored request has no user message");
            }

            return (new TestCase
            {
                Id = sample.SampleId.ToString(),
                LineNumber = 0,
                System = system.Length > 0 ? system.ToString() : null,
                Messages = turns,
                MaxTokens = MaxTokens(root) ?? defaultMaxTokens,
                Expect = new CaseExpectations(),
            }, null);
        }
    }

    private static int? MaxTokens(JsonElement root)
    {
        foreach (var name in (string[])["max_tokens", "max_completion_tokens"])
        {
            if (root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out var tokens) && tokens > 0)
            {
                return tokens;
            }
        }

        return null;
    }

    /// <summary>A string, or an array of text parts; null when any part is not text.</summary>
    private static string? Text(JsonElement content)
    {
        if (content.ValueKind == JsonValueKind.String)
        {
            return content.GetString();
        }

        if (content.ValueKind != JsonValueKind.Array)
        {
            return null;
        }

        var parts = new List<string>();
        foreach (var part in content.EnumerateArray())
        {
            if (part.ValueKind == JsonValueKind.String)
            {
                parts.Add(part.GetString()!);
            }
            else if (part.ValueKind == JsonValueKind.Object && part.TryGetProperty("type", out var type) && type.GetString() is "text" or "input_text"
                && part.TryGetProperty("text", out var text) && text.ValueKind == JsonValueKind.String)
            {
                parts.Add(text.GetString()!);
            }
            else
            {
                return null;
            }
        }

        return string.Join("\n", parts);
    }

    private static string Shorten(string text) => text.Length <= 40 ? text : text[..40];
}
