using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Canary.IntegrationTests.StandIns;

/// <summary>
/// A model server that speaks the three vendor APIs the proxy carries, as the official SDKs expect them: OpenAI chat
/// completions (<c>/v1/chat/completions</c>, with the usage chunk when <c>stream_options.include_usage</c> asks for it),
/// OpenAI responses (<c>/v1/responses</c>) and Anthropic messages (<c>/v1/messages</c>), each streamed (SSE, one event
/// per write, flushed) or whole. Every answer says "hello from &lt;name&gt;" (or what the answer rule given makes of the
/// request body) and echoes the model asked for, so a test sees which upstream served it; usage is fixed (<see cref="InputTokens"/>, <see cref="OutputTokens"/>). Records the
/// requests it saw (path, authorization and x-api-key headers, subset header, body).
/// </summary>
internal sealed class FakeVendorApi : IAsyncDisposable
{
    public const int InputTokens = 7;
    public const int OutputTokens = 3;

    private readonly LoopbackHttpServer _server;
    private readonly List<(string Path, string? Authorization, string? ApiKey, string? Subset, string Body)> _requests = [];
    private readonly Lock _lock = new();
    private readonly Func<string, string>? _answer;

    /// <param name="name">The upstream's name, in the default answer.</param>
    /// <param name="answer">
    /// The answer's text for a request body (plain text without quotes or backslashes, as it goes into the JSON as is);
    /// null: "hello from &lt;name&gt;".
    /// </param>
    public FakeVendorApi(string name, Func<string, string>? answer = null)
    {
        Name = name;
        _answer = answer;
        _server = new LoopbackHttpServer(HandleAsync);
    }

    public string Name { get; }

    /// <summary>The base URL without a trailing slash (the proxy appends the request's path).</summary>
    public string Url => _server.Uri.ToString().TrimEnd('/');

    public IReadOnlyList<(string Path, string? Authorization, string? ApiKey, string? Subset, string Body)> Requests
    {
        get
        {
            lock (_lock)
            {
                return [.. _requests];
            }
        }
    }

    public ValueTask DisposeAsync() => _server.DisposeAsync();

    private async Task HandleAsync(HttpListenerContext context, CancellationToken stop)
    {
        var request = context.Request;
        using var response = context.Response;
        // Each answer on a connection of its own: the managed HttpListener can close a kept-alive connection just as
        // the proxy writes its next request on it, which the proxy rightly reports as an unreachable upstream (a POST
        // with a streamed body is not retried). These tests are about the proxy, not that race.
        response.KeepAlive = false;
        string body;
        using (var reader = new StreamReader(request.InputStream, Encoding.UTF8))
        {
            body = await reader.ReadToEndAsync(stop);
        }

        var path = request.Url!.AbsolutePath;
        lock (_lock)
        {
            _requests.Add((path, request.Headers["authorization"], request.Headers["x-api-key"], request.Headers["x-canary-subset"], body));
        }

        JsonObject? json;
        try
        {
            json = JsonNode.Parse(body) as JsonObject;
        }
        catch (JsonException)
        {
            json = null;
        }

        var model = json?["model"]?.GetValue<string>() ?? "none";
        var stream = json?["stream"]?.GetValue<bool>() == true;
        var text = _answer?.Invoke(body) ?? $"hello from {Name}";
        try
        {
            switch (path)
            {
                case "/v1/chat/completions":
                    if (stream)
                    {
                        var usage = json?["stream_options"]?["include_usage"]?.GetValue<bool>() == true;
                        await SseAsync(response, ChatChunks(model, text, usage), stop);
                    }
                    else
                    {
                        await JsonAsync(response, 200, $$$"""{"id":"chatcmpl-1","object":"chat.completion","created":1,"model":"{{{model}}}","choices":[{"index":0,"message":{"role":"assistant","content":"{{{text}}}"},"finish_reason":"stop"}],"usage":{"prompt_tokens":{{{InputTokens}}},"completion_tokens":{{{OutputTokens}}},"total_tokens":{{{InputTokens + OutputTokens}}}}}""", stop);
                    }

                    break;
                case "/v1/responses":
                    var whole = ResponsesObject(model, text);
                    if (stream)
                    {
                        await SseAsync(response,
                        [
                            ("response.created", """{"type":"response.created","sequence_number":0,"response":""" + ResponsesObject(model, "", status: "in_progress") + "}"),
                            ("response.output_text.delta", $$$"""{"type":"response.output_text.delta","sequence_number":1,"item_id":"msg_1","output_index":0,"content_index":0,"delta":"{{{text}}}","logprobs":[]}"""),
                            ("response.completed", $$$"""{"type":"response.completed","sequence_number":2,"response":{{{whole}}}}"""),
                        ], stop);
                    }
                    else
                    {
                        await JsonAsync(response, 200, whole, stop);
                    }

                    break;
                case "/v1/messages":
                    if (stream)
                    {
                        await SseAsync(response,
                        [
                            ("message_start", $$$"""{"type":"message_start","message":{"id":"msg_1","type":"message","role":"assistant","model":"{{{model}}}","content":[],"stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":{{{InputTokens}}},"output_tokens":1}}""" + "}"),
                            ("content_block_start", """{"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}"""),
                            ("content_block_delta", $$$"""{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"{{{text}}}"}}"""),
                            ("content_block_stop", """{"type":"content_block_stop","index":0}"""),
                            ("message_delta", $$$"""{"type":"message_delta","delta":{"stop_reason":"end_turn","stop_sequence":null},"usage":{"output_tokens":{{{OutputTokens}}}}}"""),
                            ("message_stop", """{"type":"message_stop"}"""),
                        ], stop);
                    }
                    else
                    {
                        await JsonAsync(response, 200, $$$"""{"id":"msg_1","type":"message","role":"assistant","model":"{{{model}}}","content":[{"type":"text","text":"{{{text}}}"}],"stop_reason":"end_turn","stop_sequence":null,"usage":{"input_tokens":{{{InputTokens}}},"output_tokens":{{{OutputTokens}}}}}""", stop);
                    }

                    break;
                default:
                    // Echoes what arrived, so a pass-through test compares bytes.
                    await JsonAsync(response, 200, JsonSerializer.Serialize(new Dictionary<string, string> { ["path"] = path, ["body"] = body }), stop);
                    break;
            }
        }
        catch (Exception e) when (e is HttpListenerException or IOException or OperationCanceledException)
        {
            // The proxy went away (a cancelled request): nothing to answer.
        }
    }

    private static string ResponsesObject(string model, string text, string status = "completed") =>
        $$$"""{"id":"resp_1","object":"response","created_at":1,"status":"{{{status}}}","model":"{{{model}}}","output":[{"type":"message","id":"msg_1","status":"completed","role":"assistant","content":[{"type":"output_text","text":"{{{text}}}","annotations":[]}]}],"usage":{"input_tokens":{{{InputTokens}}},"input_tokens_details":{"cached_tokens":0},"output_tokens":{{{OutputTokens}}},"output_tokens_details":{"reasoning_tokens":0},"total_tokens":{{{InputTokens + OutputTokens}}}}}""";

    private static List<(string? Event, string Data)> ChatChunks(string model, string text, bool usage)
    {
        var head = $$$"""{"id":"chatcmpl-1","object":"chat.completion.chunk","created":1,"model":"{{{model}}}","choices":""";
        var chunks = new List<(string?, string)>
        {
            (null, head + """[{"index":0,"delta":{"role":"assistant","content":""},"finish_reason":null}]}"""),
            (null, head + $$$"""[{"index":0,"delta":{"content":"{{{text}}}"},"finish_reason":null}]}"""),
            (null, head + """[{"index":0,"delta":{},"finish_reason":"stop"}]}"""),
        };
        if (usage)
        {
            chunks.Add((null, head + $$$"""[],"usage":{"prompt_tokens":{{{InputTokens}}},"completion_tokens":{{{OutputTokens}}},"total_tokens":{{{InputTokens + OutputTokens}}}}}"""));
        }

        chunks.Add((null, "[DONE]"));
        return chunks;
    }

    private static async Task JsonAsync(HttpListenerResponse response, int status, string json, CancellationToken stop)
    {
        var bytes = Encoding.UTF8.GetBytes(json);
        response.StatusCode = status;
        response.ContentType = "application/json";
        response.ContentLength64 = bytes.Length;
        await response.OutputStream.WriteAsync(bytes, stop);
    }

    private static async Task SseAsync(HttpListenerResponse response, IEnumerable<(string? Event, string Data)> events, CancellationToken stop)
    {
        response.StatusCode = 200;
        response.ContentType = "text/event-stream";
        response.SendChunked = true;
        foreach (var (name, data) in events)
        {
            var text = (name is null ? "" : $"event: {name}\n") + $"data: {data}\n\n";
            await response.OutputStream.WriteAsync(Encoding.UTF8.GetBytes(text), stop);
            await response.OutputStream.FlushAsync(stop);
        }
    }
}
