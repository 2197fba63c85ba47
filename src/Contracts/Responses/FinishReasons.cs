using System.Text;
using Canary.Contracts.Telemetry;

namespace Canary.Contracts.Responses;

/// <summary>
/// The finish-reason vocabulary: which string each provider sends for each <see cref="FinishReason"/> class, read by the
/// sidecar's live scanner (UTF-8 bytes, without allocating) and by the analyzer's preflight (strings), so both stages
/// class an answer alike. A reason outside the lists is <see cref="FinishReason.Other"/>.
/// </summary>
public static class FinishReasons
{
    // The longest string of the vocabulary is 29 bytes; a longer one is Other without being compared.
    private const int LongestName = 64;

    private static readonly string[] Names = ["stop", "length", "content_filter", "tool_calls", "other"];

    /// <summary>OpenAI chat and completions <c>finish_reason</c>: <c>stop</c>, <c>length</c>, <c>content_filter</c>,
    /// <c>tool_calls</c> or the older <c>function_call</c>.</summary>
    public static FinishReason OpenAI(ReadOnlySpan<byte> value)
    {
        if (value.SequenceEqual("stop"u8))
        {
            return FinishReason.Stop;
        }

        if (value.SequenceEqual("length"u8))
        {
            return FinishReason.Length;
        }

        if (value.SequenceEqual("content_filter"u8))
        {
            return FinishReason.ContentFilter;
        }

        if (value.SequenceEqual("tool_calls"u8) || value.SequenceEqual("function_call"u8))
        {
            return FinishReason.ToolCalls;
        }

        return FinishReason.Other;
    }

    /// <summary>Anthropic messages <c>stop_reason</c>: <c>end_turn</c> and <c>stop_sequence</c>, <c>max_tokens</c> and
    /// <c>model_context_window_exceeded</c>, <c>tool_use</c>, and <c>refusal</c> (a content-filter stop).</summary>
    public static FinishReason Anthropic(ReadOnlySpan<byte> value)
    {
        if (value.SequenceEqual("end_turn"u8) || value.SequenceEqual("stop_sequence"u8))
        {
            return FinishReason.Stop;
        }

        if (value.SequenceEqual("max_tokens"u8) || value.SequenceEqual("model_context_window_exceeded"u8))
        {
            return FinishReason.Length;
        }

        if (value.SequenceEqual("tool_use"u8))
        {
            return FinishReason.ToolCalls;
        }

        if (value.SequenceEqual("refusal"u8))
        {
            return FinishReason.ContentFilter;
        }

        return FinishReason.Other;
    }

    /// <summary>OpenAI Responses <c>incomplete_details.reason</c>: <c>max_output_tokens</c> or <c>content_filter</c>.</summary>
    public static FinishReason ResponsesIncomplete(ReadOnlySpan<byte> value) =>
        value.SequenceEqual("max_output_tokens"u8) ? FinishReason.Length
        : value.SequenceEqual("content_filter"u8) ? FinishReason.ContentFilter
        : FinishReason.Other;

    /// <summary><see cref="OpenAI(ReadOnlySpan{byte})"/> of a string; <see cref="FinishReason.None"/> for null.</summary>
    public static FinishReason OpenAI(string? value) => Classify(value, static utf8 => OpenAI(utf8));

    /// <summary><see cref="Anthropic(ReadOnlySpan{byte})"/> of a string; <see cref="FinishReason.None"/> for null.</summary>
    public static FinishReason Anthropic(string? value) => Classify(value, static utf8 => Anthropic(utf8));

    /// <summary>A stop by a safety system counts as a refusal, whoever reports it.</summary>
    public static bool IsRefusal(FinishReason reason) => reason == FinishReason.ContentFilter;

    /// <summary>The class's name in records and counters (<c>stop</c>, <c>length</c>, <c>content_filter</c>,
    /// <c>tool_calls</c>, <c>other</c>); <see cref="TelemetryNames"/> stores it as <c>finish_</c> + name.</summary>
    public static string Name(FinishReason reason) =>
        reason == FinishReason.None ? throw new ArgumentOutOfRangeException(nameof(reason), reason, "No finish reason has no name.") : Names[(int)reason - 1];

    /// <summary>The counter a reported reason is counted in.</summary>
    public static TelemetryCounter Counter(FinishReason reason) =>
        reason == FinishReason.None
            ? throw new ArgumentOutOfRangeException(nameof(reason), reason, "No finish reason is counted.")
            : TelemetryCounter.FinishStop + ((int)reason - (int)FinishReason.Stop);

    private static FinishReason Classify(string? value, ClassifyUtf8 classify)
    {
        if (value is null)
        {
            return FinishReason.None;
        }

        if (value.Length > LongestName)
        {
            return FinishReason.Other;
        }

        Span<byte> utf8 = stackalloc byte[Encoding.UTF8.GetMaxByteCount(value.Length)];
        return classify(utf8[..Encoding.UTF8.GetBytes(value, utf8)]);
    }

    private delegate FinishReason ClassifyUtf8(ReadOnlySpan<byte> utf8);
}
