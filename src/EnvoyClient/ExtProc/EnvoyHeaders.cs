using System.Text;
using Envoy.Config.Core.V3;
using Envoy.Service.ExtProc.V3;
using Google.Protobuf;

namespace Canary.EnvoyClient.ExtProc;

/// <summary>The header blocks Envoy sends over ext_proc: a realistic LLM chat request, and headers as a message.</summary>
public static class EnvoyHeaders
{
    /// <summary>The 20 headers of a streamed chat completion request as Envoy forwards it, for one user.</summary>
    public static (string Key, string Value)[] RealisticRequest(string authority, string user) =>
    [
        (":authority", authority), (":path", "/v1/chat/completions"), (":method", "POST"), (":scheme", "https"),
        ("content-type", "application/json"), ("content-length", "1834"), ("accept", "text/event-stream"),
        ("accept-encoding", "gzip, deflate, br"), ("user-agent", "openai-python/1.54.3"),
        ("authorization", "Bearer sk-live-0123456789abcdef0123456789abcdef"),
        ("x-request-id", "5f0c6c2e-8a7d-4a52-9d0b-1f6f4c2b7e11"), ("x-forwarded-for", "10.12.3.4"),
        ("x-forwarded-proto", "https"), ("x-envoy-attempt-count", "1"),
        ("traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"), ("x-tenant-id", "acme"),
        ("openai-organization", "org-canary"), ("x-stainless-lang", "python"), ("x-stainless-retry-count", "0"),
        ("x-user-id", user),
    ];

    /// <summary>Headers with values as raw bytes (<c>raw_value</c>), as Envoy sends them.</summary>
    public static HttpHeaders Headers((string Key, string Value)[] headers, bool endOfStream)
    {
        ArgumentNullException.ThrowIfNull(headers);
        var map = new HeaderMap();
        foreach (var (key, value) in headers)
        {
            map.Headers.Add(new HeaderValue { Key = key, RawValue = ByteString.CopyFrom(Encoding.UTF8.GetBytes(value)) });
        }

        return new HttpHeaders { Headers = map, EndOfStream = endOfStream };
    }
}
