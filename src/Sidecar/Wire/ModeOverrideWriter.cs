using System.Buffers;

namespace Canary.Sidecar.Wire;

/// <summary>
/// Writes the <c>mode_override</c> field (9) of a ProcessingResponse that asks Envoy for the whole request body (BUFFERED).
/// Append its bytes to the <c>request_headers</c> reply: protobuf fields of one message may be written in any order.
/// </summary>
/// <remarks>
/// Envoy takes body modes in an override literally (only header modes have a "no change" value), so the response body
/// mode must repeat the filter's configured one, or the response body would stop reaching the telemetry.
/// </remarks>
internal static class ModeOverrideWriter
{
    // ProcessingResponse.mode_override = 9; ProcessingMode.request_body_mode = 3, response_body_mode = 4.
    private const int ProcessingResponseModeOverride = 9;
    private const int ModeRequestBody = 3;
    private const int ModeResponseBody = 4;

    public static int GetLength(BodySendMode responseBodyMode) => WireWriter.FieldSize(Payload(responseBodyMode));

    public static int WriteBufferedRequestBody(IBufferWriter<byte> output, BodySendMode responseBodyMode) =>
        WriteRequestBodyMode(output, BodySendMode.Buffered, responseBodyMode);

    public static int WriteRequestBodyMode(IBufferWriter<byte> output, BodySendMode requestBodyMode, BodySendMode responseBodyMode)
    {
        var payload = Payload(responseBodyMode);
        var length = WireWriter.FieldSize(payload);
        var span = output.GetSpan(length);
        var position = WireWriter.WriteFieldHeader(span, WireWriter.LengthDelimitedTag(ProcessingResponseModeOverride), payload);
        span[position++] = WireWriter.VarintTag(ModeRequestBody);
        span[position++] = (byte)requestBodyMode;
        if (responseBodyMode != BodySendMode.None)
        {
            span[position++] = WireWriter.VarintTag(ModeResponseBody);
            span[position++] = (byte)responseBodyMode;
        }

        output.Advance(position);
        return position;
    }

    // NONE is the proto3 default and is left out; it still means NONE to Envoy.
    private static int Payload(BodySendMode responseBodyMode) => responseBodyMode == BodySendMode.None ? 2 : 4;
}
