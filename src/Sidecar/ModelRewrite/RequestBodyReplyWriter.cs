using System.Buffers;
using System.Buffers.Text;
using Canary.Sidecar.Wire;

namespace Canary.Sidecar.ModelRewrite;

/// <summary>
/// Writes <c>ProcessingResponse{request_body: BodyResponse{response: CommonResponse{...}}}</c> straight to protobuf wire bytes,
/// with fields in canonical order: header_mutation (2), body_mutation (3), clear_route_cache (5). Status is CONTINUE (0, omitted).
/// </summary>
/// <remarks>
/// Headers are written as <c>HeaderValueOption{header: HeaderValue{key, raw_value}}</c>: never <c>value</c> (Envoy ignores it),
/// and <c>append</c> unset so the header is overwritten.
/// </remarks>
internal static class RequestBodyReplyWriter
{
    // ProcessingResponse.request_body = 3
    private const int ProcessingResponseRequestBody = 3;
    // BodyResponse.response = 1
    private const int BodyResponseResponse = 1;
    // CommonResponse: header_mutation = 2, body_mutation = 3, clear_route_cache = 5
    private const int CommonHeaderMutation = 2;
    private const int CommonBodyMutation = 3;
    private const int CommonClearRouteCache = 5;
    // HeaderMutation.set_headers = 1; HeaderValueOption.header = 1; HeaderValue.key = 1, raw_value = 3
    private const int MutationSetHeaders = 1;
    private const int OptionHeader = 1;
    private const int HeaderKey = 1;
    private const int HeaderRawValue = 3;
    // BodyMutation.body = 1
    private const int BodyMutationBody = 1;

    // int.MaxValue has 10 digits.
    private const int MaxContentLengthDigits = 10;

    private static ReadOnlySpan<byte> ContentLength => "content-length"u8;

    /// <summary>Exact number of bytes <see cref="Write"/> produces, for <c>SerializationContext.SetPayloadLength</c>.</summary>
    public static int GetLength(in RequestBodyReply reply)
    {
        Span<byte> digits = stackalloc byte[MaxContentLengthDigits];
        var layout = Layout.Of(reply, digits);
        return WireWriter.FieldSize(layout.BodyResponse);
    }

    /// <summary>Writes the whole ProcessingResponse message (no gRPC frame header) and returns its length.</summary>
    public static int Write(IBufferWriter<byte> output, in RequestBodyReply reply)
    {
        Span<byte> digits = stackalloc byte[MaxContentLengthDigits];
        var layout = Layout.Of(reply, digits);
        var total = WireWriter.FieldSize(layout.BodyResponse);

        // Everything up to the body bytes is small and written in one span; the body is copied in chunks after it.
        var prefixLength = total - (reply.ReplaceBody ? reply.Body.Length : 0) - (reply.ClearRouteCache ? 2 : 0);
        var span = output.GetSpan(prefixLength);
        var position = WireWriter.WriteFieldHeader(span, WireWriter.LengthDelimitedTag(ProcessingResponseRequestBody), layout.BodyResponse);
        if (layout.Common > 0)
        {
            position += WireWriter.WriteFieldHeader(span[position..], WireWriter.LengthDelimitedTag(BodyResponseResponse), layout.Common);
        }

        if (layout.Mutation > 0)
        {
            position += WireWriter.WriteFieldHeader(span[position..], WireWriter.LengthDelimitedTag(CommonHeaderMutation), layout.Mutation);
            if (reply.SetContentLength)
            {
                position += WriteHeader(span[position..], ContentLength, digits[..layout.DigitCount]);
            }

            if (!reply.HeaderName.IsEmpty)
            {
                position += WriteHeader(span[position..], reply.HeaderName, reply.HeaderValue);
            }
        }

        if (reply.ReplaceBody)
        {
            position += WireWriter.WriteFieldHeader(span[position..], WireWriter.LengthDelimitedTag(CommonBodyMutation), layout.BodyMutation);
            position += WireWriter.WriteFieldHeader(span[position..], WireWriter.LengthDelimitedTag(BodyMutationBody), reply.Body.Length);
            output.Advance(position);
            reply.Body.WriteTo(output);
        }
        else
        {
            output.Advance(position);
        }

        if (reply.ClearRouteCache)
        {
            var tail = output.GetSpan(2);
            tail[0] = WireWriter.VarintTag(CommonClearRouteCache);
            tail[1] = 1;
            output.Advance(2);
        }

        return total;
    }

    private static int HeaderOptionPayload(int nameLength, int valueLength) =>
        WireWriter.FieldSize(WireWriter.FieldSize(nameLength) + WireWriter.FieldSize(valueLength));

    private static int WriteHeader(Span<byte> destination, ReadOnlySpan<byte> name, ReadOnlySpan<byte> value)
    {
        var headerValue = WireWriter.FieldSize(name.Length) + WireWriter.FieldSize(value.Length);
        var option = WireWriter.FieldSize(headerValue);
        var position = WireWriter.WriteFieldHeader(destination, WireWriter.LengthDelimitedTag(MutationSetHeaders), option);
        position += WireWriter.WriteFieldHeader(destination[position..], WireWriter.LengthDelimitedTag(OptionHeader), headerValue);
        position += WireWriter.WriteBytesField(destination[position..], WireWriter.LengthDelimitedTag(HeaderKey), name);
        position += WireWriter.WriteBytesField(destination[position..], WireWriter.LengthDelimitedTag(HeaderRawValue), value);
        return position;
    }

    /// <summary>Payload lengths of the nested messages; zero means the field is omitted.</summary>
    private readonly struct Layout
    {
        public int DigitCount { get; init; }

        public int Mutation { get; init; }

        public int BodyMutation { get; init; }

        public int Common { get; init; }

        public int BodyResponse { get; init; }

        public static Layout Of(in RequestBodyReply reply, Span<byte> digits)
        {
            if (reply.SetContentLength && !reply.ReplaceBody)
            {
                throw new ArgumentException("content-length is only set together with a new body.", nameof(reply));
            }

            var digitCount = 0;
            var mutation = 0;
            if (reply.SetContentLength)
            {
                Utf8Formatter.TryFormat(reply.Body.Length, digits, out digitCount);
                mutation += WireWriter.FieldSize(HeaderOptionPayload(ContentLength.Length, digitCount));
            }

            if (!reply.HeaderName.IsEmpty)
            {
                mutation += WireWriter.FieldSize(HeaderOptionPayload(reply.HeaderName.Length, reply.HeaderValue.Length));
            }

            var bodyMutation = reply.ReplaceBody ? WireWriter.FieldSize(reply.Body.Length) : 0;
            var common = (mutation > 0 ? WireWriter.FieldSize(mutation) : 0)
                + (reply.ReplaceBody ? WireWriter.FieldSize(bodyMutation) : 0)
                + (reply.ClearRouteCache ? 2 : 0);
            return new Layout
            {
                DigitCount = digitCount,
                Mutation = mutation,
                BodyMutation = bodyMutation,
                Common = common,
                BodyResponse = common > 0 ? WireWriter.FieldSize(common) : 0,
            };
        }
    }
}
