using Envoy.Config.Core.V3;
using Envoy.Service.ExtProc.V3;
using Google.Protobuf;

namespace Canary.Sidecar.UnitTests.Processing;

/// <summary>Builds encoded ext_proc messages with the generated types, as Envoy would send them.</summary>
internal static class RequestFrames
{
    public static byte[] RequestHeaders(params (string Key, string Value)[] headers) =>
        new ProcessingRequest { RequestHeaders = Headers(headers) }.ToByteArray();

    public static HttpHeaders Headers(params (string Key, string Value)[] headers)
    {
        var map = new HeaderMap();
        foreach (var (key, value) in headers)
        {
            map.Headers.Add(new HeaderValue { Key = key, RawValue = ByteString.CopyFromUtf8(value) });
        }

        return new HttpHeaders { Headers = map, EndOfStream = true };
    }

    /// <summary>A realistic chat-completion request: 20 headers with a user id and a model route key.</summary>
    public static (string, string)[] Realistic(string authority = "chat.example.internal", string user = "user-0012345") =>
    [
        (":authority", authority),
        (":path", "/v1/chat/completions"),
        (":method", "POST"),
        (":scheme", "https"),
        ("content-type", "application/json"),
        ("content-length", "1834"),
        ("accept", "text/event-stream"),
        ("accept-encoding", "gzip, deflate, br"),
        ("user-agent", "openai-python/1.54.3"),
        ("authorization", "Bearer sk-live-0123456789abcdef0123456789abcdef"),
        ("x-request-id", "5f0c6c2e-8a7d-4a52-9d0b-1f6f4c2b7e11"),
        ("x-forwarded-for", "10.12.3.4"),
        ("x-forwarded-proto", "https"),
        ("x-envoy-attempt-count", "1"),
        ("traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"),
        ("x-tenant-id", "acme"),
        ("openai-organization", "org-canary"),
        ("x-stainless-lang", "python"),
        ("x-stainless-retry-count", "0"),
        ("x-user-id", user),
    ];
}
