using Canary.EnvoyClient.ExtProc;
using Envoy.Config.Core.V3;
using Envoy.Service.ExtProc.V3;
using Google.Protobuf;

namespace Canary.Sidecar.UnitTests.Processing;

/// <summary>Builds encoded ext_proc messages with the generated types, as Envoy would send them.</summary>
internal static class RequestFrames
{
    public static byte[] RequestHeaders(params (string Key, string Value)[] headers) =>
        new ProcessingRequest { RequestHeaders = Headers(headers) }.ToByteArray();

    /// <summary>request_headers with <c>end_of_stream</c> as given: false when a body follows.</summary>
    public static byte[] RequestHeaders(bool endOfStream, params (string Key, string Value)[] headers) =>
        new ProcessingRequest { RequestHeaders = Headers(endOfStream, headers) }.ToByteArray();

    public static HttpHeaders Headers(params (string Key, string Value)[] headers) => Headers(endOfStream: true, headers);

    public static HttpHeaders Headers(bool endOfStream, params (string Key, string Value)[] headers)
    {
        var map = new HeaderMap();
        foreach (var (key, value) in headers)
        {
            map.Headers.Add(new HeaderValue { Key = key, RawValue = ByteString.CopyFromUtf8(value) });
        }

        return new HttpHeaders { Headers = map, EndOfStream = endOfStream };
    }

    /// <summary>A realistic chat-completion request: 20 headers with a user id and a model route key.</summary>
    public static (string, string)[] Realistic(string authority = "chat.example.internal", string user = "user-0012345") =>
        EnvoyHeaders.RealisticRequest(authority, user);
}
