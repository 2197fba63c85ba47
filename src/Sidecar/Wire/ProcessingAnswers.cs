using System.Buffers;
using System.Text;

namespace Canary.Sidecar.Wire;

/// <summary>
/// Builds the encoded <c>ProcessingResponse</c> messages the sidecar sends. Field numbers follow
/// <c>proto/envoy/service/ext_proc/v3/external_processor.proto</c>; header values go in <c>raw_value</c> only and
/// <c>append</c> stays unset, which Envoy's ext_proc treats as overwrite.
/// </summary>
internal static class ProcessingAnswers
{
    // ProcessingResponse oneof cases.
    private const int RequestHeadersResponseField = 1;
    private const int ResponseHeadersResponseField = 2;
    private const int RequestBodyResponseField = 3;
    private const int ResponseBodyResponseField = 4;
    private const int RequestTrailersResponseField = 5;
    private const int ResponseTrailersResponseField = 6;

    // HeadersResponse / BodyResponse.response, CommonResponse fields, HeaderMutation fields.
    private const int CommonResponseField = 1;
    private const int HeaderMutationField = 2;
    private const int ClearRouteCacheField = 5;
    private const int SetHeadersField = 1;
    private const int RemoveHeadersField = 2;

    public static readonly ProcessingAnswer ContinueRequestHeaders = Empty(RequestHeadersResponseField, "continue request_headers");
    public static readonly ProcessingAnswer ContinueResponseHeaders = Empty(ResponseHeadersResponseField, "continue response_headers");
    public static readonly ProcessingAnswer ContinueRequestBody = Empty(RequestBodyResponseField, "continue request_body");
    public static readonly ProcessingAnswer ContinueResponseBody = Empty(ResponseBodyResponseField, "continue response_body");
    public static readonly ProcessingAnswer ContinueRequestTrailers = Empty(RequestTrailersResponseField, "continue request_trailers");
    public static readonly ProcessingAnswer ContinueResponseTrailers = Empty(ResponseTrailersResponseField, "continue response_trailers");

    /// <summary>
    /// Answer to response_headers that asks Envoy to stream the response body to the sidecar (mode_override
    /// response_body_mode STREAMED; the request body mode is restated as NONE, since body modes in an override are
    /// taken literally). Used only where telemetry needs the body: 2xx JSON or SSE (and 400 JSON) on rollout routes.
    /// </summary>
    public static readonly ProcessingAnswer ContinueResponseHeadersAndStreamBody = new(
        WireWriter.Build(w =>
        {
            WireWriter.WriteBytesField(w, ResponseHeadersResponseField, []);
            var mode = WireWriter.Build(m => WireWriter.WriteVarintField(m, 4, 1));
            WireWriter.WriteBytesField(w, 9, mode);
        }),
        "continue response_headers; stream response body");

    /// <summary>
    /// Answer to response_headers that tells the client which subset served it (a response header), optionally also
    /// asking for the streamed body like <see cref="ContinueResponseHeadersAndStreamBody"/>.
    /// </summary>
    public static ProcessingAnswer ResponseHeadersWithServedSubset(string headerName, string subset, bool streamBody)
    {
        var headerValue = WireWriter.Build(w =>
        {
            WireWriter.WriteBytesField(w, 1, Encoding.ASCII.GetBytes(headerName));
            WireWriter.WriteBytesField(w, 3, Encoding.ASCII.GetBytes(subset));
        });
        var option = WireWriter.Build(w => WireWriter.WriteBytesField(w, 1, headerValue));
        var mutation = WireWriter.Build(w => WireWriter.WriteBytesField(w, SetHeadersField, option));
        var common = WireWriter.Build(w => WireWriter.WriteBytesField(w, HeaderMutationField, mutation));
        var headersResponse = WireWriter.Build(w => WireWriter.WriteBytesField(w, CommonResponseField, common));
        var frame = WireWriter.Build(w =>
        {
            WireWriter.WriteBytesField(w, ResponseHeadersResponseField, headersResponse);
            if (streamBody)
            {
                WireWriter.WriteBytesField(w, 9, WireWriter.Build(m => WireWriter.WriteVarintField(m, 4, 1)));
            }
        });
        return new ProcessingAnswer(frame, $"response {headerName}: {subset}{(streamBody ? "; stream response body" : "")}");
    }

    /// <summary>Answer to request_headers that sets the subset header and has Envoy pick the route again.</summary>
    public static ProcessingAnswer SetRequestHeader(string headerName, string value)
    {
        var key = Encoding.ASCII.GetBytes(headerName);
        var raw = Encoding.ASCII.GetBytes(value);
        var headerValue = WireWriter.Build(w =>
        {
            WireWriter.WriteBytesField(w, 1, key);
            WireWriter.WriteBytesField(w, 3, raw);
        });
        var option = WireWriter.Build(w => WireWriter.WriteBytesField(w, 1, headerValue));
        var mutation = WireWriter.Build(w => WireWriter.WriteBytesField(w, SetHeadersField, option));
        return RequestHeadersWithMutation(mutation, $"set {headerName}: {value}");
    }

    /// <summary>
    /// Answer to request_headers that sets the subset header and asks Envoy for the whole request body (mode_override
    /// request_body_mode BUFFERED). Body modes in an override are taken literally for both directions, so the response
    /// body mode is restated as NONE, the mode the filter is configured with.
    /// </summary>
    public static ProcessingAnswer SetRequestHeaderAndBufferBody(string headerName, string value)
    {
        var setHeader = SetRequestHeader(headerName, value);
        var output = new ArrayBufferWriter<byte>();
        output.Write(setHeader.Payload);
        ModeOverrideWriter.WriteBufferedRequestBody(output, BodySendMode.None);
        return new ProcessingAnswer(output.WrittenSpan.ToArray(), $"set {headerName}: {value}; buffer request body");
    }

    /// <summary>
    /// Answer to request_headers that sets one request header and asks for the request body in BUFFERED_PARTIAL mode:
    /// Envoy sends the body up to its buffer limit and passes the rest on, so a body kept only to be read (a quality
    /// sample) never fails the request the way BUFFERED fails one over the limit with 413.
    /// </summary>
    public static ProcessingAnswer SetRequestHeaderAndPeekBody(string headerName, string value)
    {
        var setHeader = SetRequestHeader(headerName, value);
        var output = new ArrayBufferWriter<byte>();
        output.Write(setHeader.Payload);
        ModeOverrideWriter.WriteRequestBodyMode(output, BodySendMode.BufferedPartial, BodySendMode.None);
        return new ProcessingAnswer(output.WrittenSpan.ToArray(), $"set {headerName}: {value}; send request body up to the buffer limit");
    }

    /// <summary>Answer to request_headers that removes a client-sent header and has Envoy pick the route again.</summary>
    public static ProcessingAnswer RemoveRequestHeader(string headerName)
    {
        var mutation = WireWriter.Build(w => WireWriter.WriteBytesField(w, RemoveHeadersField, Encoding.ASCII.GetBytes(headerName)));
        return RequestHeadersWithMutation(mutation, $"remove {headerName}");
    }

    private static ProcessingAnswer RequestHeadersWithMutation(byte[] headerMutation, string description)
    {
        // clear_route_cache only takes effect when the CommonResponse carries a header_mutation, which it does here.
        var common = WireWriter.Build(w =>
        {
            WireWriter.WriteBytesField(w, HeaderMutationField, headerMutation);
            WireWriter.WriteBoolField(w, ClearRouteCacheField, true);
        });
        var headersResponse = WireWriter.Build(w => WireWriter.WriteBytesField(w, CommonResponseField, common));
        var frame = WireWriter.Build(w => WireWriter.WriteBytesField(w, RequestHeadersResponseField, headersResponse));
        return new ProcessingAnswer(frame, description);
    }

    private static ProcessingAnswer Empty(int responseField, string description) =>
        new(WireWriter.Build(w => WireWriter.WriteBytesField(w, responseField, [])), description);
}
