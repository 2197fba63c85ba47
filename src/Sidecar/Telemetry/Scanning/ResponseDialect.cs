namespace Canary.Sidecar.Telemetry.Scanning;

/// <summary>Which API shape the body had, detected from the body itself.</summary>
internal enum ResponseDialect : byte
{
    /// <summary>No recognizable shape (error bodies, empty bodies, other APIs).</summary>
    Unknown,

    /// <summary>OpenAI chat completions and compatible servers such as vLLM.</summary>
    OpenAIChat,

    /// <summary>OpenAI legacy completions (<c>text_completion</c>).</summary>
    OpenAICompletions,

    /// <summary>OpenAI Responses API.</summary>
    OpenAIResponses,

    /// <summary>Anthropic Messages API.</summary>
    Anthropic,
}
