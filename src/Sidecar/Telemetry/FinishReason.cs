namespace Canary.Sidecar.Telemetry;

/// <summary>Normalized finish reason of a completion (OpenAI finish_reason, Anthropic stop_reason).</summary>
internal enum FinishReason
{
    Stop,
    Length,
    ContentFilter,
    ToolCalls,
    Other,
}
