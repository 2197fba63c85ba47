using System.Text;
using System.Text.Json;

namespace Canary.Sidecar.Proxy;

/// <summary>
/// Writes the proxy's own error answers as JSON in the request's API shape (<see cref="ApiDialect"/>), with the
/// status the vendor would use, so the official clients raise their usual error types (status 413, 404, 502, 504) and
/// show the message.
/// </summary>
internal static class ProxyErrorResponse
{
    /// <summary>Anthropic clients send <c>anthropic-version</c>; the Messages API lives under <c>/v1/messages</c>.</summary>
    public static ApiDialect DialectOf(HttpRequest request) =>
        request.Headers.ContainsKey("anthropic-version") || request.Path.StartsWithSegments("/v1/messages", StringComparison.Ordinal)
            ? ApiDialect.Anthropic
            : ApiDialect.OpenAI;

    public static int StatusOf(ProxyErrorKind kind) => kind switch
    {
        ProxyErrorKind.BodyTooLarge => StatusCodes.Status413PayloadTooLarge,
        ProxyErrorKind.NoRollout => StatusCodes.Status404NotFound,
        ProxyErrorKind.UpstreamTimeout => StatusCodes.Status504GatewayTimeout,
        _ => StatusCodes.Status502BadGateway,
    };

    /// <summary>The JSON body of <paramref name="kind"/> in <paramref name="dialect"/>'s shape.</summary>
    public static byte[] Body(ApiDialect dialect, ProxyErrorKind kind, string message)
    {
        var (openAIType, code, anthropicType) = kind switch
        {
            ProxyErrorKind.BodyTooLarge => ("invalid_request_error", "request_too_large", "request_too_large"),
            ProxyErrorKind.NoRollout => ("invalid_request_error", "canary_no_rollout", "not_found_error"),
            ProxyErrorKind.NoUpstream => ("server_error", "canary_no_upstream", "api_error"),
            ProxyErrorKind.UpstreamTimeout => ("server_error", "upstream_timeout", "api_error"),
            _ => ("server_error", "upstream_unavailable", "api_error"),
        };
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            if (dialect == ApiDialect.Anthropic)
            {
                json.WriteString("type"u8, "error"u8);
                json.WriteStartObject("error"u8);
                json.WriteString("type"u8, anthropicType);
                json.WriteString("message"u8, message);
                json.WriteEndObject();
            }
            else
            {
                json.WriteStartObject("error"u8);
                json.WriteString("message"u8, message);
                json.WriteString("type"u8, openAIType);
                json.WriteNull("param"u8);
                json.WriteString("code"u8, code);
                json.WriteEndObject();
            }

            json.WriteEndObject();
        }

        return buffer.ToArray();
    }

    /// <summary>Answers with the error, unless the response has started (then the client only sees the stream end).</summary>
    public static async Task WriteAsync(HttpContext context, ProxyErrorKind kind, string message)
    {
        var response = context.Response;
        if (response.HasStarted)
        {
            return;
        }

        var body = Body(DialectOf(context.Request), kind, message);
        response.Clear();
        response.StatusCode = StatusOf(kind);
        response.ContentType = "application/json";
        response.ContentLength = body.Length;
        try
        {
            await response.Body.WriteAsync(body, context.RequestAborted).ConfigureAwait(false);
        }
        catch (Exception e) when (e is OperationCanceledException or IOException)
        {
            // The client went away meanwhile: nobody to tell.
        }
    }

    /// <summary>Text for logs and messages: UTF-8 bytes of a route key, printable ASCII kept, the rest escaped.</summary>
    public static string Printable(ReadOnlySpan<byte> value)
    {
        var text = new StringBuilder(value.Length);
        foreach (var b in value[..Math.Min(value.Length, 200)])
        {
            text.Append(b is >= 0x20 and < 0x7F ? (char)b : '?');
        }

        return text.ToString();
    }
}
