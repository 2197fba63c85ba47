namespace Canary.Contracts.Responses;

/// <summary>Why generation stopped, normalized across providers: the classes the live scanner counts and the preflight
/// judges (<see cref="FinishReasons"/> maps each provider's strings to them).</summary>
public enum FinishReason : byte
{
    /// <summary>No finish reason was reported (yet).</summary>
    None,

    /// <summary>Natural end or a stop sequence (OpenAI <c>stop</c>, Anthropic <c>end_turn</c>/<c>stop_sequence</c>, Responses <c>completed</c>).</summary>
    Stop,

    /// <summary>Output cut by the token limit (OpenAI <c>length</c>, Anthropic <c>max_tokens</c>, Responses <c>max_output_tokens</c>).</summary>
    Length,

    /// <summary>Stopped by a safety system (OpenAI <c>content_filter</c>, Anthropic <c>refusal</c>).</summary>
    ContentFilter,

    /// <summary>The model handed control to client tools (OpenAI <c>tool_calls</c>/<c>function_call</c>, Anthropic <c>tool_use</c>).</summary>
    ToolCalls,

    /// <summary>A reported reason outside the classes above.</summary>
    Other,
}
