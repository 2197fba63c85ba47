using System.Buffers;
using System.Globalization;
using System.IO.Pipelines;
using System.Text;

namespace Canary.BaselineServers;

/// <summary>
/// A fake OpenAI chat-completions server for the proxy benchmark, as fast and as deterministic as an answer can be,
/// so the time measured is the proxy's: it reads the request body whole, then answers from bytes built once at start.
/// A body with <c>"stream":true</c> gets an SSE stream of <c>chunks</c> content events (one write and flush each, as
/// a model server sends tokens), a final usage event (what <c>stream_options.include_usage</c> asks for) and
/// <c>data: [DONE]</c>; any other body gets one chat.completion JSON with usage. The usage is real OpenAI shape, so
/// the sidecar's telemetry observer does its full work on every answer.
/// </summary>
internal sealed class FakeChatUpstream
{
    private const string Id = "chatcmpl-bench";
    private const long Created = 1_764_979_200;
    private const int PromptTokens = 250;

    // The load driver writes compact JSON; a client writing "stream": true with a space would get the JSON answer.
    private static readonly byte[] StreamTrue = "\"stream\":true"u8.ToArray();

    private readonly byte[][] _events;
    private readonly byte[] _completion;

    public FakeChatUpstream(int chunks)
    {
        var events = new List<byte[]>();
        for (var i = 0; i < chunks; i++)
        {
            var delta = i == 0 ? $"{{\"role\":\"assistant\",\"content\":\"token {i} \"}}" : $"{{\"content\":\"token {i} \"}}";
            var finish = i == chunks - 1 ? "\"stop\"" : "null";
            events.Add(Event($"{{\"id\":\"{Id}\",\"object\":\"chat.completion.chunk\",\"created\":{Created},\"model\":\"bench-model\",\"choices\":[{{\"index\":0,\"delta\":{delta},\"finish_reason\":{finish}}}]}}"));
        }

        events.Add(Event($"{{\"id\":\"{Id}\",\"object\":\"chat.completion.chunk\",\"created\":{Created},\"model\":\"bench-model\",\"choices\":[],{Usage(chunks)}}}"));
        events.Add(Event("[DONE]"));
        _events = [.. events];
        var content = string.Concat(Enumerable.Range(0, chunks).Select(i => string.Create(CultureInfo.InvariantCulture, $"token {i} ")));
        _completion = Encoding.UTF8.GetBytes(
            $"{{\"id\":\"{Id}\",\"object\":\"chat.completion\",\"created\":{Created},\"model\":\"bench-model\",\"choices\":[{{\"index\":0,\"message\":{{\"role\":\"assistant\",\"content\":\"{content}\"}},\"finish_reason\":\"stop\"}}],{Usage(chunks)}}}");
    }

    public async Task AnswerAsync(HttpContext context)
    {
        var stream = await ReadsStreamTrueAsync(context.Request.BodyReader, context.RequestAborted).ConfigureAwait(false);
        var response = context.Response;
        response.StatusCode = StatusCodes.Status200OK;
        if (!stream)
        {
            response.ContentType = "application/json";
            response.ContentLength = _completion.Length;
            await response.Body.WriteAsync(_completion, context.RequestAborted).ConfigureAwait(false);
            return;
        }

        response.ContentType = "text/event-stream";
        response.Headers.CacheControl = "no-cache";
        foreach (var sse in _events)
        {
            await response.Body.WriteAsync(sse, context.RequestAborted).ConfigureAwait(false);
            await response.Body.FlushAsync(context.RequestAborted).ConfigureAwait(false);
        }
    }

    /// <summary>Reads the body to its end and says whether it asked for a stream.</summary>
    private static async Task<bool> ReadsStreamTrueAsync(PipeReader body, CancellationToken cancellation)
    {
        while (true)
        {
            var read = await body.ReadAsync(cancellation).ConfigureAwait(false);
            if (read.IsCompleted || read.IsCanceled)
            {
                var found = new SequenceReader<byte>(read.Buffer).TryReadTo(out ReadOnlySequence<byte> _, StreamTrue);
                body.AdvanceTo(read.Buffer.End);
                return found;
            }

            // Nothing consumed until the whole body is in: the flag may straddle two reads.
            body.AdvanceTo(read.Buffer.Start, read.Buffer.End);
        }
    }

    private static string Usage(int completionTokens) => string.Create(
        CultureInfo.InvariantCulture,
        $"\"usage\":{{\"prompt_tokens\":{PromptTokens},\"completion_tokens\":{completionTokens},\"total_tokens\":{PromptTokens + completionTokens}}}");

    private static byte[] Event(string data) => Encoding.UTF8.GetBytes($"data: {data}\n\n");
}
