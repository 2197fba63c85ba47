namespace Canary.Sidecar.Telemetry.Scanning;

/// <summary>How a response body is framed, as the caller reads it from the <c>content-type</c> header.</summary>
internal enum ResponseBodyFormat : byte
{
    /// <summary>One JSON document (<c>application/json</c>).</summary>
    Json,

    /// <summary>Server-sent events (<c>text/event-stream</c>) whose <c>data</c> fields carry JSON documents.</summary>
    EventStream,
}
