namespace Canary.Sidecar.Telemetry.Scanning;

/// <summary>Maps a property name's bytes to a <see cref="UsageKey"/> without allocating.</summary>
internal static class UsageKeys
{
    public static UsageKey Identify(ReadOnlySpan<byte> name) => name.Length switch
    {
        4 => Match(name, "type"u8, UsageKey.Type, "text"u8, UsageKey.Text, "code"u8, UsageKey.Code),
        5 => Match(name, "model"u8, UsageKey.Model, "usage"u8, UsageKey.Usage, "delta"u8, UsageKey.Delta, "error"u8, UsageKey.Error),
        6 => Match(name, "object"u8, UsageKey.Object, "status"u8, UsageKey.Status, "reason"u8, UsageKey.Reason, "output"u8, UsageKey.Output),
        7 => Match(name, "choices"u8, UsageKey.Choices, "message"u8, UsageKey.Message, "content"u8, UsageKey.Content, "refusal"u8, UsageKey.Refusal),
        8 => Match(name, "thinking"u8, UsageKey.Thinking, "response"u8, UsageKey.Response),
        9 => Match(name, "reasoning"u8, UsageKey.Reasoning),
        10 => Match(name, "tool_calls"u8, UsageKey.ToolCalls, "innererror"u8, UsageKey.InnerError),
        11 => Match(name, "stop_reason"u8, UsageKey.StopReason),
        12 => Match(name, "input_tokens"u8, UsageKey.InputTokens, "partial_json"u8, UsageKey.PartialJson),
        13 => Match(name, "finish_reason"u8, UsageKey.FinishReason, "prompt_tokens"u8, UsageKey.PromptTokens, "output_tokens"u8, UsageKey.OutputTokens, "function_call"u8, UsageKey.FunctionCall, "cached_tokens"u8, UsageKey.CachedTokens),
        16 => Match(name, "reasoning_tokens"u8, UsageKey.ReasoningTokens),
        17 => Match(name, "completion_tokens"u8, UsageKey.CompletionTokens, "reasoning_content"u8, UsageKey.ReasoningContent),
        18 => Match(name, "incomplete_details"u8, UsageKey.IncompleteDetails),
        20 => Match(name, "input_tokens_details"u8, UsageKey.InputTokensDetails),
        21 => Match(name, "prompt_tokens_details"u8, UsageKey.PromptTokensDetails, "output_tokens_details"u8, UsageKey.OutputTokensDetails),
        23 => Match(name, "cache_read_input_tokens"u8, UsageKey.CacheReadInputTokens),
        25 => Match(name, "completion_tokens_details"u8, UsageKey.CompletionTokensDetails),
        27 => Match(name, "cache_creation_input_tokens"u8, UsageKey.CacheCreationInputTokens),
        _ => UsageKey.Unknown,
    };

    private static UsageKey Match(ReadOnlySpan<byte> name, ReadOnlySpan<byte> a, UsageKey ka) =>
        name.SequenceEqual(a) ? ka : UsageKey.Unknown;

    private static UsageKey Match(ReadOnlySpan<byte> name, ReadOnlySpan<byte> a, UsageKey ka, ReadOnlySpan<byte> b, UsageKey kb) =>
        name.SequenceEqual(a) ? ka : Match(name, b, kb);

    private static UsageKey Match(
        ReadOnlySpan<byte> name, ReadOnlySpan<byte> a, UsageKey ka, ReadOnlySpan<byte> b, UsageKey kb, ReadOnlySpan<byte> c, UsageKey kc) =>
        name.SequenceEqual(a) ? ka : Match(name, b, kb, c, kc);

    private static UsageKey Match(
        ReadOnlySpan<byte> name,
        ReadOnlySpan<byte> a,
        UsageKey ka,
        ReadOnlySpan<byte> b,
        UsageKey kb,
        ReadOnlySpan<byte> c,
        UsageKey kc,
        ReadOnlySpan<byte> d,
        UsageKey kd) =>
        name.SequenceEqual(a) ? ka : Match(name, b, kb, c, kc, d, kd);

    private static UsageKey Match(
        ReadOnlySpan<byte> name,
        ReadOnlySpan<byte> a,
        UsageKey ka,
        ReadOnlySpan<byte> b,
        UsageKey kb,
        ReadOnlySpan<byte> c,
        UsageKey kc,
        ReadOnlySpan<byte> d,
        UsageKey kd,
        ReadOnlySpan<byte> e,
        UsageKey ke) =>
        name.SequenceEqual(a) ? ka : Match(name, b, kb, c, kc, d, kd, e, ke);
}
