namespace Canary.Sidecar.Proxy;

/// <summary>Which vendor API a request speaks, so the proxy's own errors come in the shape its client parses.</summary>
internal enum ApiDialect
{
    /// <summary>OpenAI and OpenAI-compatible servers (vLLM and others): <c>{"error":{"message","type","param","code"}}</c>.</summary>
    OpenAI,

    /// <summary>Anthropic Messages: <c>{"type":"error","error":{"type","message"}}</c>.</summary>
    Anthropic,
}
