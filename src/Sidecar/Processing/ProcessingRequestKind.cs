namespace Canary.Sidecar.Processing;

/// <summary>The case of the <c>ProcessingRequest.request</c> oneof; values are the protobuf field numbers.</summary>
internal enum ProcessingRequestKind
{
    /// <summary>No known case was set (a newer Envoy, or a broken client).</summary>
    Unknown = 0,
    RequestHeaders = 2,
    ResponseHeaders = 3,
    RequestBody = 4,
    ResponseBody = 5,
    RequestTrailers = 6,
    ResponseTrailers = 7,
}
