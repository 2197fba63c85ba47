using System.Text;
using System.Text.Json;
using Canary.Contracts.Responses;

namespace Canary.Analyzer.Preflight;

/// <summary>
/// Reads an answer out of an OpenAI chat-completions or Anthropic messages response, whole or as server-sent events.
/// Anything that is not the documented shape is reported as malformed (with what was missing), never guessed at.
/// Walked by hand rather than deserialized: two providers' shapes, whole or in events split anywhere, and a model's
/// answer that is wrong is a finding to report precisely, not an exception.
/// Finish reasons and refusals are classed with the vocabulary the sidecar's live scanner uses
/// (<see cref="FinishReasons"/>, <see cref="RefusalSignals"/>), so a refusal here is a refusal in the rollout's telemetry.
/// </summary>
internal static class ResponseParser
{
    public static (ModelAnswer? Answer, string? Problem) ReadBody(ModelProtocol protocol, byte[] body, TimeSpan latency)
    {
        try
        {
            using var document = JsonDocument.Parse(body);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                return (null, "the response is not a JSON object");
            }

            return protocol == ModelProtocol.OpenAi ? ReadOpenAi(root, latency) : ReadAnthropic(root, latency);
        }
        catch (JsonException e)
        {
            return (null, $"the response is not JSON ({e.Message})");
        }
        catch (InvalidOperationException e)
        {
            return (null, $"unexpected JSON value ({e.Message})");
        }
    }

    private static (ModelAnswer?, string?) ReadOpenAi(JsonElement root, TimeSpan latency)
    {
        if (!root.TryGetProperty("choices", out var choices) || choices.ValueKind != JsonValueKind.Array || choices.GetArrayLength() == 0)
        {
            return (null, "no \"choices\" in the response");
        }

        var choice = choices[0];
        if (!choice.TryGetProperty("message", out var message) || message.ValueKind != JsonValueKind.Object)
        {
            return (null, "no choices[0].message in the response");
        }

        var refusal = message.TryGetProperty("refusal", out var refusalText) && refusalText.ValueKind == JsonValueKind.String;
        var content = message.TryGetProperty("content", out var contentElement) && contentElement.ValueKind == JsonValueKind.String
            ? contentElement.GetString()!
            : refusal ? refusalText.GetString()! : null;
        if (content is null)
        {
            return (null, "choices[0].message.content is missing");
        }

        var finish = StringOrNull(choice, "finish_reason");
        var (input, output) = Usage(root, "prompt_tokens", "completion_tokens");
        return (new ModelAnswer
        {
            Text = content,
            FinishReason = finish,
            ProviderRefusal = refusal || FinishReasons.IsRefusal(FinishReasons.OpenAI(finish)),
            InputTokens = input,
            OutputTokens = output,
            Latency = latency,
        }, null);
    }

    private static (ModelAnswer?, string?) ReadAnthropic(JsonElement root, TimeSpan latency)
    {
        if (root.TryGetProperty("type", out var type) && type.ValueKind == JsonValueKind.String && type.GetString() == "error")
        {
            return (null, "the response is an error object");
        }

        if (!root.TryGetProperty("content", out var content) || content.ValueKind != JsonValueKind.Array)
        {
            return (null, "no \"content\" array in the response");
        }

        var text = new StringBuilder();
        foreach (var block in content.EnumerateArray())
        {
            if (block.ValueKind == JsonValueKind.Object && StringOrNull(block, "type") == "text" && StringOrNull(block, "text") is { } part)
            {
                text.Append(part);
            }
        }

        var stop = StringOrNull(root, "stop_reason");
        var (input, output) = Usage(root, "input_tokens", "output_tokens");
        return (new ModelAnswer
        {
            Text = text.ToString(),
            FinishReason = stop,
            ProviderRefusal = FinishReasons.IsRefusal(FinishReasons.Anthropic(stop)),
            InputTokens = input,
            OutputTokens = output,
            Latency = latency,
        }, null);
    }

    public static async Task<(ModelAnswer? Answer, string? Problem)> ReadStreamAsync(
        ModelProtocol protocol, Stream stream, TimeProvider time, long started, CancellationToken cancellationToken)
    {
        using var reader = new StreamReader(stream, Encoding.UTF8);
        var state = new StreamState();
        while (await reader.ReadLineAsync(cancellationToken).ConfigureAwait(false) is { } line)
        {
            if (!line.StartsWith("data:", StringComparison.Ordinal))
            {
                continue;
            }

            var data = line.AsSpan(5).Trim();
            if (data.SequenceEqual("[DONE]"))
            {
                state.Done = true;
                break;
            }

            try
            {
                using var document = JsonDocument.Parse(data.ToString());
                var problem = protocol == ModelProtocol.OpenAi ? OpenAiEvent(document.RootElement, state) : AnthropicEvent(document.RootElement, state);
                if (problem is not null)
                {
                    return (null, problem);
                }
            }
            catch (JsonException e)
            {
                return (null, $"an event is not JSON ({e.Message})");
            }
            catch (InvalidOperationException e)
            {
                return (null, $"an event has an unexpected JSON value ({e.Message})");
            }

            if (state.Text.Length > 0 && state.FirstText is null)
            {
                state.FirstText = time.GetElapsedTime(started);
            }

            if (state.Done)
            {
                break;
            }
        }

        if (!state.Done && state.Finish is null)
        {
            return (null, "the stream ended before its last event");
        }

        return (new ModelAnswer
        {
            Text = state.Text.ToString(),
            FinishReason = state.Finish,
            ProviderRefusal = state.Refusal
                || FinishReasons.IsRefusal(protocol == ModelProtocol.OpenAi ? FinishReasons.OpenAI(state.Finish) : FinishReasons.Anthropic(state.Finish)),
            InputTokens = state.InputTokens,
            OutputTokens = state.OutputTokens,
            Latency = time.GetElapsedTime(started),
            TimeToFirstToken = state.FirstText,
        }, null);
    }

    private static string? OpenAiEvent(JsonElement root, StreamState state)
    {
        if (root.ValueKind != JsonValueKind.Object)
        {
            return "an event is not a JSON object";
        }

        if (root.TryGetProperty("error", out var error))
        {
            return PolicyErrorEnds(error, state) ? null : "the stream carried an error event";
        }

        var (input, output) = Usage(root, "prompt_tokens", "completion_tokens");
        state.InputTokens = input ?? state.InputTokens;
        state.OutputTokens = output ?? state.OutputTokens;
        if (!root.TryGetProperty("choices", out var choices) || choices.ValueKind != JsonValueKind.Array)
        {
            return root.TryGetProperty("usage", out _) ? null : "an event has no \"choices\"";
        }

        foreach (var choice in choices.EnumerateArray())
        {
            if (choice.TryGetProperty("delta", out var delta) && delta.ValueKind == JsonValueKind.Object)
            {
                if (StringOrNull(delta, "content") is { } part)
                {
                    state.Text.Append(part);
                }

                if (StringOrNull(delta, "refusal") is { } refusal)
                {
                    state.Refusal = true;
                    state.Text.Append(refusal);
                }
            }

            state.Finish = StringOrNull(choice, "finish_reason") ?? state.Finish;
        }

        return null;
    }

    private static string? AnthropicEvent(JsonElement root, StreamState state)
    {
        switch (StringOrNull(root, "type"))
        {
            case "message_start":
                if (root.TryGetProperty("message", out var message))
                {
                    var (input, output) = Usage(message, "input_tokens", "output_tokens");
                    state.InputTokens = input ?? state.InputTokens;
                    state.OutputTokens = output ?? state.OutputTokens;
                }

                return null;
            case "content_block_delta":
                if (root.TryGetProperty("delta", out var delta) && StringOrNull(delta, "text") is { } text)
                {
                    state.Text.Append(text);
                }

                return null;
            case "message_delta":
                if (root.TryGetProperty("delta", out var messageDelta))
                {
                    state.Finish = StringOrNull(messageDelta, "stop_reason") ?? state.Finish;
                }

                var (_, outputTokens) = Usage(root, "input_tokens", "output_tokens");
                state.OutputTokens = outputTokens ?? state.OutputTokens;
                return null;
            case "message_stop":
                state.Done = true;
                return null;
            case "error":
                return root.TryGetProperty("error", out var error) && PolicyErrorEnds(error, state) ? null : "the stream carried an error event";
            case null:
                return "an event has no \"type\"";
            default:
                return null;
        }
    }

    /// <summary>
    /// A refusal answer for a 400 response whose body is a provider's policy error (what the sidecar counts as a
    /// refusal on the live path); null for any other body.
    /// </summary>
    public static ModelAnswer? PolicyRefusal(byte[] body, TimeSpan latency)
    {
        try
        {
            using var document = JsonDocument.Parse(body);
            var root = document.RootElement;
            return root.ValueKind == JsonValueKind.Object && root.TryGetProperty("error", out var error) && IsPolicyError(error)
                ? new ModelAnswer { Text = "", ProviderRefusal = true, Latency = latency }
                : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>A policy error inside a successful stream cuts the answer as a refusal: the stream ends there.</summary>
    private static bool PolicyErrorEnds(JsonElement error, StreamState state)
    {
        if (!IsPolicyError(error))
        {
            return false;
        }

        state.Refusal = true;
        state.Done = true;
        return true;
    }

    /// <summary><c>error.code</c> a policy code, Azure's <c>error.innererror.code</c>, or Anthropic's output-filter
    /// <c>error.message</c>.</summary>
    private static bool IsPolicyError(JsonElement error) =>
        error.ValueKind == JsonValueKind.Object
        && ((StringOrNull(error, "code") is { } code && RefusalSignals.IsPolicyErrorCode(Encoding.UTF8.GetBytes(code)))
            || (error.TryGetProperty("message", out var message) && message.ValueKind == JsonValueKind.String
                && message.ValueEquals(RefusalSignals.AnthropicPolicyMessage))
            || (error.TryGetProperty("innererror", out var inner) && inner.ValueKind == JsonValueKind.Object
                && inner.TryGetProperty("code", out var innerCode) && innerCode.ValueKind == JsonValueKind.String
                && innerCode.ValueEquals(RefusalSignals.AzurePolicyInnerCode)));

    private static (long? Input, long? Output) Usage(JsonElement root, string inputName, string outputName)
    {
        if (!root.TryGetProperty("usage", out var usage) || usage.ValueKind != JsonValueKind.Object)
        {
            return (null, null);
        }

        return (Count(usage, inputName), Count(usage, outputName));
    }

    private static long? Count(JsonElement parent, string name) =>
        parent.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out var n) && n >= 0 ? n : null;

    private static string? StringOrNull(JsonElement parent, string name) =>
        parent.ValueKind == JsonValueKind.Object && parent.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
