using Canary.Sidecar.Processing;
using Envoy.Config.Core.V3;
using Envoy.Extensions.Filters.Http.ExtProc.V3;
using Envoy.Service.ExtProc.V3;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;

namespace Canary.Sidecar.UnitTests.Processing;

/// <summary>
/// Property tests: the span-based reader must see exactly what Google.Protobuf's generated parser sees, on the fields
/// the sidecar reads, for randomly generated messages and for every truncation of them.
/// </summary>
public sealed class WireFormatAgreementTests
{
    [Fact]
    public void TryRead_RandomMessages_AgreesWithGeneratedParser()
    {
        var random = new Random(20261126);
        for (var i = 0; i < 2000; i++)
        {
            var message = RandomRequest(random);
            var bytes = message.ToByteArray();
            AssertAgrees(bytes, message);
        }
    }

    [Fact]
    public void TryRead_EveryTruncation_FailsExactlyWhenGeneratedParserFails()
    {
        var random = new Random(7);
        for (var i = 0; i < 200; i++)
        {
            var bytes = RandomRequest(random).ToByteArray();
            for (var cut = 0; cut < bytes.Length; cut++)
            {
                var prefix = bytes.AsSpan(0, cut).ToArray();
                ProcessingRequest? parsed;
                try
                {
                    parsed = ProcessingRequest.Parser.ParseFrom(prefix);
                }
                catch (InvalidProtocolBufferException)
                {
                    parsed = null;
                }

                var ours = TryReadAll(prefix, out var view);
                if (parsed is null)
                {
                    Assert.False(ours, $"message {i} cut at {cut}: generated parser failed, ours succeeded");
                }
                else
                {
                    Assert.True(ours, $"message {i} cut at {cut}: generated parser succeeded, ours failed");
                    AssertAgrees(prefix, parsed);
                }
            }
        }
    }

    [Theory]
    [InlineData(new byte[] { 0x12 })]
    [InlineData(new byte[] { 0x12, 0x05, 0x0A })]
    [InlineData(new byte[] { 0x00, 0x00 })]
    [InlineData(new byte[] { 0x13, 0x00 })]
    [InlineData(new byte[] { 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01 })]
    public void TryRead_MalformedBytes_ReturnsFalse(byte[] bytes)
    {
        Assert.False(TryReadAll(bytes, out _));
    }

    private static bool TryReadAll(byte[] bytes, out (ProcessingRequestKind Kind, bool Observability, List<(string, byte[])> Headers, bool EndOfStream) view)
    {
        view = default;
        if (!ProcessingRequestView.TryRead(bytes, out var request))
        {
            return false;
        }

        var headers = new List<(string, byte[])>();
        var endOfStream = false;
        if (request.Kind is ProcessingRequestKind.RequestHeaders or ProcessingRequestKind.ResponseHeaders)
        {
            var enumerator = new HeaderEnumerator(request.Payload);
            while (enumerator.MoveNext(out var key, out var value))
            {
                headers.Add((System.Text.Encoding.UTF8.GetString(key), value.ToArray()));
            }

            if (enumerator.IsMalformed)
            {
                return false;
            }

            endOfStream = enumerator.EndOfStream;
        }

        view = (request.Kind, request.ObservabilityMode, headers, endOfStream);
        return true;
    }

    private static void AssertAgrees(byte[] bytes, ProcessingRequest expected)
    {
        Assert.True(TryReadAll(bytes, out var view));
        Assert.Equal((int)expected.RequestCase, (int)view.Kind);
        Assert.Equal(expected.ObservabilityMode, view.Observability);
        var headers = expected.RequestCase switch
        {
            ProcessingRequest.RequestOneofCase.RequestHeaders => expected.RequestHeaders,
            ProcessingRequest.RequestOneofCase.ResponseHeaders => expected.ResponseHeaders,
            _ => null,
        };
        if (headers is null)
        {
            Assert.Empty(view.Headers);
            return;
        }

        Assert.Equal(headers.EndOfStream, view.EndOfStream);
        var expectedHeaders = headers.Headers?.Headers ?? [];
        Assert.Equal(expectedHeaders.Count, view.Headers.Count);
        for (var i = 0; i < expectedHeaders.Count; i++)
        {
            var h = expectedHeaders[i];
            Assert.Equal(h.Key, view.Headers[i].Item1);
            var value = h.RawValue.Length > 0 ? h.RawValue.ToByteArray() : System.Text.Encoding.UTF8.GetBytes(h.Value);
            Assert.Equal(value, view.Headers[i].Item2);
        }
    }

    internal static ProcessingRequest RandomRequest(Random random)
    {
        var request = new ProcessingRequest();
        switch (random.Next(8))
        {
            case 0:
            case 1:
            case 2:
                request.RequestHeaders = RandomHeaders(random);
                break;
            case 3:
                request.ResponseHeaders = RandomHeaders(random);
                break;
            case 4:
                request.RequestBody = new HttpBody { Body = ByteString.CopyFrom(RandomBytes(random, random.Next(64))), EndOfStream = random.Next(2) == 0 };
                break;
            case 5:
                request.ResponseBody = new HttpBody { Body = ByteString.CopyFrom(RandomBytes(random, random.Next(64))), EndOfStream = random.Next(2) == 0 };
                break;
            case 6:
                request.ResponseTrailers = new HttpTrailers { Trailers = new HeaderMap() };
                break;
            default:
                break;
        }

        if (random.Next(3) == 0)
        {
            request.ObservabilityMode = true;
        }

        if (random.Next(3) == 0)
        {
            request.ProtocolConfig = new ProtocolConfiguration { ResponseBodyMode = ProcessingMode.Types.BodySendMode.Streamed };
        }

        if (random.Next(4) == 0)
        {
            var metadata = new Metadata();
            metadata.FilterMetadata["envoy.lb"] = new Struct { Fields = { ["k"] = Value.ForString("v") } };
            request.MetadataContext = metadata;
        }

        if (random.Next(4) == 0)
        {
            request.Attributes["envoy.filters.http.ext_proc"] = new Struct { Fields = { ["request.time"] = Value.ForString("2026-11-26T00:00:00Z") } };
        }

        return request;
    }

    private static HttpHeaders RandomHeaders(Random random)
    {
        var map = new HeaderMap();
        var count = random.Next(25);
        for (var i = 0; i < count; i++)
        {
            var header = new HeaderValue { Key = RandomKey(random) };
            if (random.Next(5) == 0)
            {
                header.Value = RandomKey(random);
            }
            else
            {
                header.RawValue = ByteString.CopyFrom(RandomBytes(random, random.Next(40)));
            }

            map.Headers.Add(header);
        }

        var headers = new HttpHeaders { Headers = map, EndOfStream = random.Next(2) == 0 };
        if (random.Next(5) == 0)
        {
#pragma warning disable CS0612 // deprecated upstream, still on the wire: the reader must skip it
            headers.Attributes["x"] = new Struct();
#pragma warning restore CS0612
        }

        return headers;
    }

    private static string RandomKey(Random random)
    {
        const string alphabet = "abcdefghijklmnopqrstuvwxyz-:0123456789";
        var chars = new char[1 + random.Next(20)];
        for (var i = 0; i < chars.Length; i++)
        {
            chars[i] = alphabet[random.Next(alphabet.Length)];
        }

        return new string(chars);
    }

    private static byte[] RandomBytes(Random random, int length)
    {
        var bytes = new byte[length];
        random.NextBytes(bytes);
        return bytes;
    }
}
