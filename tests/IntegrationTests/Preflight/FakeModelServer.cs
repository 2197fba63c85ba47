using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using Canary.Analyzer.Preflight;
using Canary.IntegrationTests.StandIns;

namespace Canary.IntegrationTests.Preflight;

/// <summary>
/// A model endpoint on 127.0.0.1 speaking the OpenAI chat-completions or the Anthropic messages shape, whole or as
/// server-sent events, with answers, delays and failures chosen per request by the test. Delays run on the given
/// clock, so a test that measures with a <see cref="VirtualClock"/> sees each delay exactly.
/// </summary>
internal sealed class FakeModelServer : IAsyncDisposable
{
    private readonly LoopbackHttpServer _server;
    private readonly ModelProtocol _protocol;
    private readonly Func<FakeRequest, FakeReply> _respond;
    private readonly TimeProvider _time;
    private readonly ConcurrentDictionary<string, int> _attempts = new();

    public FakeModelServer(ModelProtocol protocol, Func<FakeRequest, FakeReply> respond, TimeProvider? time = null)
    {
        _protocol = protocol;
        _respond = respond;
        _time = time ?? TimeProvider.System;
        _server = new LoopbackHttpServer(ServeAsync);
    }

    public Uri Uri => _server.Uri;

    public ConcurrentQueue<FakeRequest> Requests { get; } = new();

    public ValueTask DisposeAsync() => _server.DisposeAsync();

    private async Task ServeAsync(HttpListenerContext context, CancellationToken stop)
    {
        try
        {
            string body;
            using (var reader = new StreamReader(context.Request.InputStream, Encoding.UTF8))
            {
                body = await reader.ReadToEndAsync();
            }

            using var document = JsonDocument.Parse(body);
            var root = document.RootElement;
            var messages = root.GetProperty("messages");
            var prompt = messages[messages.GetArrayLength() - 1].GetProperty("content").GetString()!;
            var stream = root.TryGetProperty("stream", out var s) && s.ValueKind == JsonValueKind.True;
            var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            foreach (var name in context.Request.Headers.AllKeys)
            {
                headers[name!] = context.Request.Headers[name]!;
            }

            var credential = _protocol == ModelProtocol.OpenAi ? context.Request.Headers["Authorization"] : context.Request.Headers["x-api-key"];
            var attempt = _attempts.AddOrUpdate(prompt, 1, (_, n) => n + 1);
            var request = new FakeRequest(context.Request.Url!.AbsolutePath, body, prompt, stream, credential, headers, attempt);
            Requests.Enqueue(request);
            var reply = _respond(request);
            if (reply.Delay != TimeSpan.Zero)
            {
                await Task.Delay(reply.Delay, _time, stop);
            }

            var response = context.Response;
            response.StatusCode = reply.Status;
            if (reply.RetryAfter is not null)
            {
                response.AddHeader("Retry-After", reply.RetryAfter);
            }

            if (reply.RawBody is not null || reply.Status != 200)
            {
                response.ContentType = "application/json";
                await WriteAsync(response, reply.RawBody ?? "{\"error\":{\"message\":\"fake failure\"}}");
            }
            else if (stream)
            {
                response.ContentType = "text/event-stream";
                response.SendChunked = true;
                foreach (var sseEvent in _protocol == ModelProtocol.OpenAi ? OpenAiEvents(reply) : AnthropicEvents(reply))
                {
                    await WriteAsync(response, sseEvent);
                    await response.OutputStream.FlushAsync();
                }
            }
            else
            {
                response.ContentType = "application/json";
                await WriteAsync(response, _protocol == ModelProtocol.OpenAi ? OpenAiBody(reply) : AnthropicBody(reply));
            }

            response.Close();
        }
        catch (Exception ex) when (ex is HttpListenerException or ObjectDisposedException or OperationCanceledException or IOException)
        {
            // The client went away (a timeout test) or the server is stopping.
        }
    }

    private static async Task WriteAsync(HttpListenerResponse response, string text)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        await response.OutputStream.WriteAsync(bytes);
    }

    private static string OpenAiBody(FakeReply reply) =>
        $$$$"""{"id":"c1","object":"chat.completion","choices":[{"index":0,"message":{"role":"assistant","content":{{{{Json(reply.Text)}}}}},"finish_reason":"{{{{reply.StopReason ?? "stop"}}}}"}],"usage":{"prompt_tokens":{{{{reply.InputTokens}}}},"completion_tokens":{{{{reply.OutputTokens}}}},"total_tokens":{{{{reply.InputTokens + reply.OutputTokens}}}}}}""";

    private static string AnthropicBody(FakeReply reply) =>
        $$$$"""{"id":"m1","type":"message","role":"assistant","content":[{"type":"text","text":{{{{Json(reply.Text)}}}}}],"stop_reason":"{{{{reply.StopReason ?? "end_turn"}}}}","usage":{"input_tokens":{{{{reply.InputTokens}}}},"output_tokens":{{{{reply.OutputTokens}}}}}}""";

    private static IEnumerable<string> OpenAiEvents(FakeReply reply)
    {
        foreach (var piece in Pieces(reply.Text))
        {
            yield return $$$$"""data: {"choices":[{"index":0,"delta":{"content":{{{{Json(piece)}}}}},"finish_reason":null}]}""" + "\n\n";
            if (reply.CutStream)
            {
                yield break;
            }
        }

        yield return $$$$"""data: {"choices":[{"index":0,"delta":{},"finish_reason":"{{{{reply.StopReason ?? "stop"}}}}"}]}""" + "\n\n";
        yield return $$$$"""data: {"choices":[],"usage":{"prompt_tokens":{{{{reply.InputTokens}}}},"completion_tokens":{{{{reply.OutputTokens}}}}}}""" + "\n\n";
        yield return "data: [DONE]\n\n";
    }

    private static IEnumerable<string> AnthropicEvents(FakeReply reply)
    {
        yield return $$$$"""event: message_start{{{{"\n"}}}}data: {"type":"message_start","message":{"id":"m1","type":"message","role":"assistant","content":[],"usage":{"input_tokens":{{{{reply.InputTokens}}}},"output_tokens":1}}}""" + "\n\n";
        yield return "event: content_block_start\ndata: {\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"text\",\"text\":\"\"}}\n\n";
        foreach (var piece in Pieces(reply.Text))
        {
            yield return $$$$"""event: content_block_delta{{{{"\n"}}}}data: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":{{{{Json(piece)}}}}}}""" + "\n\n";
            if (reply.CutStream)
            {
                yield break;
            }
        }

        yield return "event: content_block_stop\ndata: {\"type\":\"content_block_stop\",\"index\":0}\n\n";
        yield return $$$$"""event: message_delta{{{{"\n"}}}}data: {"type":"message_delta","delta":{"stop_reason":"{{{{reply.StopReason ?? "end_turn"}}}}"},"usage":{"output_tokens":{{{{reply.OutputTokens}}}}}}""" + "\n\n";
        yield return "event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n";
    }

    private static IEnumerable<string> Pieces(string text)
    {
        for (var i = 0; i < text.Length; i += 7)
        {
            yield return text.Substring(i, Math.Min(7, text.Length - i));
        }

        if (text.Length == 0)
        {
            yield return "";
        }
    }

    private static string Json(string text) => JsonSerializer.Serialize(text);

    public override string ToString() => Uri.ToString().TrimEnd('/') + " (" + _protocol.ToString().ToLower(CultureInfo.InvariantCulture) + ")";
}
