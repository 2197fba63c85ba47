namespace Canary.Sidecar.Telemetry.Scanning;

/// <summary>What a document's root <c>type</c> says about the stream.</summary>
internal enum EventKind : byte
{
    None,

    /// <summary>The last event of a stream: Anthropic <c>message_stop</c>, Responses <c>response.completed</c>/<c>incomplete</c>/<c>failed</c>.</summary>
    Terminal,

    /// <summary>A Responses <c>*.delta</c> event, whose root <c>delta</c> string is generated content.</summary>
    ResponsesDelta,

    /// <summary>A Responses <c>response.refusal.*</c> event.</summary>
    ResponsesRefusal,

    /// <summary>An error event (<c>"type":"error"</c>).</summary>
    Error,
}
