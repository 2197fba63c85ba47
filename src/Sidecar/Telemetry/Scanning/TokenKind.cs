namespace Canary.Sidecar.Telemetry.Scanning;

/// <summary>A token count under the name the provider reported it, before normalization.</summary>
internal enum TokenKind : byte
{
    /// <summary>OpenAI <c>prompt_tokens</c> (includes cached).</summary>
    Prompt,

    /// <summary>OpenAI <c>completion_tokens</c> (includes reasoning).</summary>
    Completion,

    /// <summary><c>input_tokens</c>: includes cached in the Responses API, excludes cache reads and writes in Anthropic's.</summary>
    Input,

    /// <summary><c>output_tokens</c> (Responses, Anthropic).</summary>
    Output,

    /// <summary>Anthropic <c>cache_read_input_tokens</c>.</summary>
    CacheRead,

    /// <summary>Anthropic <c>cache_creation_input_tokens</c>.</summary>
    CacheCreation,

    /// <summary>OpenAI <c>cached_tokens</c> in the input details.</summary>
    Cached,

    /// <summary>OpenAI <c>reasoning_tokens</c> in the output details.</summary>
    Reasoning,
}
