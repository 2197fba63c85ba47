namespace Canary.Sidecar.Telemetry.Scanning;

/// <summary>The <c>status</c> of an OpenAI Responses object.</summary>
internal enum ResponsesStatus : byte
{
    None,
    InProgress,
    Completed,
    Incomplete,
    Failed,
}
