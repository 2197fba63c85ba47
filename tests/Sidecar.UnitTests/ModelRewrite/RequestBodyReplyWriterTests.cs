using System.Buffers;
using System.Text;
using Canary.Sidecar.Model;
using Canary.Sidecar.ModelRewrite;
using Canary.Sidecar.Wire;
using Envoy.Extensions.Filters.Http.ExtProc.V3;
using Envoy.Service.ExtProc.V3;

namespace Canary.Sidecar.UnitTests.ModelRewrite;

public sealed class RequestBodyReplyWriterTests
{
    [Fact]
    public void Write_Unchanged_IsAnEmptyRequestBodyResponse()
    {
        var output = new ArrayBufferWriter<byte>();

        var written = RequestBodyReplyWriter.Write(output, RequestBodyReply.Unchanged);

        Assert.Equal([0x1A, 0x00], output.WrittenSpan.ToArray());
        Assert.Equal(2, written);
        Assert.Equal(2, RequestBodyReplyWriter.GetLength(RequestBodyReply.Unchanged));
        var parsed = ProcessingResponse.Parser.ParseFrom(output.WrittenSpan);
        Assert.Equal(ProcessingResponse.ResponseOneofCase.RequestBody, parsed.ResponseCase);
        Assert.Null(parsed.RequestBody.Response);
    }

    [Fact]
    public void Write_ReplacedBodyWithContentLength_ExactWireBytes()
    {
        var body = """{"model":"gpt-5"}"""u8;
        var output = new ArrayBufferWriter<byte>();

        RequestBodyReplyWriter.Write(output, RequestBodyReply.Replace(new RewrittenBody(body), setContentLength: true));

        // HeaderValue{key "content-length", raw_value "17"} = 0A 0E <14 bytes> 1A 02 "17" (20 bytes)
        // HeaderValueOption{header} = 0A 14 <20> (22); HeaderMutation{set_headers} = 0A 16 <22> (24)
        // BodyMutation{body} = 0A 11 <17> (19); CommonResponse = 12 18 <24> 1A 13 <19> (47)
        // BodyResponse = 0A 2F <47> (49); ProcessingResponse = 1A 31 <49>
        byte[] expected =
        [
            0x1A, 0x31, 0x0A, 0x2F,
            0x12, 0x18, 0x0A, 0x16, 0x0A, 0x14, 0x0A, 0x0E, .. "content-length"u8, 0x1A, 0x02, .. "17"u8,
            0x1A, 0x13, 0x0A, 0x11, .. body,
        ];
        Assert.Equal(expected, output.WrittenSpan.ToArray());
    }

    [Fact]
    public void Write_ReplacedBodyWithContentLength_ParsesAsEnvoyWouldReadIt()
    {
        var original = """{"model":"gpt-4o","messages":[{"role":"user","content":"hi"}]}"""u8;
        ModelBodyRewriter.Plan(original, new ModelRewriteRule(new ModelName("gpt-4o"), new ModelName("gpt-5")), ModelRewriteLimits.Default, out var rewritten);
        var output = new ArrayBufferWriter<byte>();
        var reply = RequestBodyReply.Replace(rewritten, setContentLength: true);

        var written = RequestBodyReplyWriter.Write(output, reply);

        Assert.Equal(RequestBodyReplyWriter.GetLength(reply), written);
        Assert.Equal(written, output.WrittenCount);
        var parsed = ProcessingResponse.Parser.ParseFrom(output.WrittenSpan);
        Assert.Equal(ProcessingResponse.ResponseOneofCase.RequestBody, parsed.ResponseCase);
        var common = parsed.RequestBody.Response;
        Assert.Equal(CommonResponse.Types.ResponseStatus.Continue, common.Status);
        Assert.False(common.ClearRouteCache);
        Assert.Equal(BodyMutation.MutationOneofCase.Body, common.BodyMutation.MutationCase);
        var newBody = """{"model":"gpt-5","messages":[{"role":"user","content":"hi"}]}""";
        Assert.Equal(newBody, common.BodyMutation.Body.ToStringUtf8());
        var header = Assert.Single(common.HeaderMutation.SetHeaders);
        Assert.Equal("content-length", header.Header.Key);
        Assert.Equal(Encoding.UTF8.GetByteCount(newBody).ToString(System.Globalization.CultureInfo.InvariantCulture), header.Header.RawValue.ToStringUtf8());
        Assert.Equal("", header.Header.Value);
#pragma warning disable CS0612 // append is deprecated upstream, yet it is the field ext_proc honours: it must stay unset.
        Assert.Null(header.Append);
#pragma warning restore CS0612
        Assert.Empty(common.HeaderMutation.RemoveHeaders);
        Assert.Null(parsed.ModeOverride);
    }

    [Fact]
    public void Write_ReplacedBodyWithoutContentLength_HasNoHeaderMutation()
    {
        var output = new ArrayBufferWriter<byte>();

        RequestBodyReplyWriter.Write(output, RequestBodyReply.Replace(new RewrittenBody("{}"u8), setContentLength: false));

        var common = ProcessingResponse.Parser.ParseFrom(output.WrittenSpan).RequestBody.Response;
        Assert.Null(common.HeaderMutation);
        Assert.Equal("{}", common.BodyMutation.Body.ToStringUtf8());
    }

    [Fact]
    public void Write_SetHeaderAndClearRouteCache_KeepsBody()
    {
        var output = new ArrayBufferWriter<byte>();
        var reply = RequestBodyReply.SetHeader("x-canary-subset"u8, "stable"u8, clearRouteCache: true);

        var written = RequestBodyReplyWriter.Write(output, reply);

        Assert.Equal(RequestBodyReplyWriter.GetLength(reply), written);
        var common = ProcessingResponse.Parser.ParseFrom(output.WrittenSpan).RequestBody.Response;
        Assert.Null(common.BodyMutation);
        Assert.True(common.ClearRouteCache);
        var header = Assert.Single(common.HeaderMutation.SetHeaders);
        Assert.Equal("x-canary-subset", header.Header.Key);
        Assert.Equal("stable", header.Header.RawValue.ToStringUtf8());
#pragma warning disable CS0612 // append is deprecated upstream, yet it is the field ext_proc honours: it must stay unset.
        Assert.Null(header.Append);
#pragma warning restore CS0612
    }

    [Fact]
    public void Write_EverythingAtOnce_HeadersInOrder()
    {
        var output = new ArrayBufferWriter<byte>();
        var reply = RequestBodyReply.ReplaceAndSetHeader(
            new RewrittenBody("{\"model\":"u8, "\"m\""u8, "}"u8), setContentLength: true, "x-canary-subset"u8, "canary"u8, clearRouteCache: true);

        var written = RequestBodyReplyWriter.Write(output, reply);

        Assert.Equal(RequestBodyReplyWriter.GetLength(reply), written);
        Assert.Equal(written, output.WrittenCount);
        var common = ProcessingResponse.Parser.ParseFrom(output.WrittenSpan).RequestBody.Response;
        Assert.Equal("{\"model\":\"m\"}", common.BodyMutation.Body.ToStringUtf8());
        Assert.Equal(["content-length", "x-canary-subset"], common.HeaderMutation.SetHeaders.Select(h => h.Header.Key));
        Assert.Equal(["13", "canary"], common.HeaderMutation.SetHeaders.Select(h => h.Header.RawValue.ToStringUtf8()));
        Assert.True(common.ClearRouteCache);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(127)]
    [InlineData(128)]
    [InlineData(16_383)]
    [InlineData(16_384)]
    [InlineData(100_000)]
    [InlineData(2_100_000)]
    public void Write_BodyLengthsAcrossVarintBoundaries_RoundTrip(int length)
    {
        var body = new byte[length];
        new Random(length).NextBytes(body);
        // A small segment size forces the body to be written in many pieces.
        var output = new SegmentedWriter(4096);
        var reply = RequestBodyReply.Replace(new RewrittenBody(body), setContentLength: true);

        var written = RequestBodyReplyWriter.Write(output, reply);

        Assert.Equal(RequestBodyReplyWriter.GetLength(reply), written);
        var bytes = output.ToArray();
        Assert.Equal(written, bytes.Length);
        var common = ProcessingResponse.Parser.ParseFrom(bytes).RequestBody.Response;
        Assert.True(common.BodyMutation.Body.Span.SequenceEqual(body));
        Assert.Equal(length.ToString(System.Globalization.CultureInfo.InvariantCulture), common.HeaderMutation.SetHeaders[0].Header.RawValue.ToStringUtf8());
    }

    [Fact]
    public void Write_ContentLengthWithoutBody_Throws()
    {
        var reply = new RequestBodyReply { SetContentLength = true };
        var output = new ArrayBufferWriter<byte>();

        try
        {
            RequestBodyReplyWriter.Write(output, reply);
            Assert.Fail("expected ArgumentException");
        }
        catch (ArgumentException)
        {
        }

        Assert.Equal(0, output.WrittenCount);
    }

    [Theory]
    [InlineData(nameof(BodySendMode.None), new byte[] { 0x4A, 0x02, 0x18, 0x02 })]
    [InlineData(nameof(BodySendMode.Streamed), new byte[] { 0x4A, 0x04, 0x18, 0x02, 0x20, 0x01 })]
    [InlineData(nameof(BodySendMode.Buffered), new byte[] { 0x4A, 0x04, 0x18, 0x02, 0x20, 0x02 })]
    public void ModeOverride_AppendedToHeadersReply_ParsesAsBufferedRequestBody(string responseModeName, byte[] expected)
    {
        var responseMode = Enum.Parse<Canary.Sidecar.Wire.BodySendMode>(responseModeName);
        var headersReply = new ProcessingResponse
        {
            RequestHeaders = new HeadersResponse { Response = new CommonResponse { ClearRouteCache = true } },
        };
        var output = new ArrayBufferWriter<byte>();
        output.Write(Google.Protobuf.MessageExtensions.ToByteArray(headersReply));
        var prefix = output.WrittenCount;

        var written = ModeOverrideWriter.WriteBufferedRequestBody(output, responseMode);

        Assert.Equal(expected, output.WrittenSpan[prefix..].ToArray());
        Assert.Equal(ModeOverrideWriter.GetLength(responseMode), written);
        var parsed = ProcessingResponse.Parser.ParseFrom(output.WrittenSpan);
        Assert.True(parsed.RequestHeaders.Response.ClearRouteCache);
        Assert.Equal(ProcessingMode.Types.BodySendMode.Buffered, parsed.ModeOverride.RequestBodyMode);
        Assert.Equal((int)responseMode, (int)parsed.ModeOverride.ResponseBodyMode);
        Assert.Equal(ProcessingMode.Types.HeaderSendMode.Default, parsed.ModeOverride.ResponseHeaderMode);
        Assert.Equal(ProcessingMode.Types.HeaderSendMode.Default, parsed.ModeOverride.RequestTrailerMode);
    }

    /// <summary>An IBufferWriter that hands out spans no larger than a segment (as a PipeWriter does), never the whole request.</summary>
    private sealed class SegmentedWriter(int segmentSize) : IBufferWriter<byte>
    {
        private readonly List<byte[]> _segments = [];
        private byte[] _current = new byte[segmentSize];
        private int _used;

        public void Advance(int count) => _used += count;

        public Memory<byte> GetMemory(int sizeHint = 0) => throw new NotSupportedException();

        public Span<byte> GetSpan(int sizeHint = 0)
        {
            if (segmentSize - _used < Math.Max(sizeHint, 1))
            {
                _segments.Add(_current[.._used]);
                _current = new byte[Math.Max(segmentSize, sizeHint)];
                _used = 0;
            }

            return _current.AsSpan(_used, Math.Max(segmentSize, sizeHint) - _used);
        }

        public byte[] ToArray() => [.. _segments.SelectMany(s => s), .. _current[.._used]];
    }
}
