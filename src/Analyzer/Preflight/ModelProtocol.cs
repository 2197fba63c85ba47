namespace Canary.Analyzer.Preflight;

/// <summary>The wire shape a version's endpoint speaks.</summary>
internal enum ModelProtocol
{
    /// <summary>OpenAI-compatible <c>POST /v1/chat/completions</c>.</summary>
    OpenAi,

    /// <summary>Anthropic <c>POST /v1/messages</c>.</summary>
    Anthropic,
}
