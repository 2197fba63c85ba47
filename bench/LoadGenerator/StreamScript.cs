using Canary.EnvoyClient.ExtProc;
using Envoy.Service.ExtProc.V3;
using Google.Protobuf;

namespace Canary.LoadGenerator;

/// <summary>
/// The encoded messages of one ext_proc stream, as Envoy sends them for an LLM chat request: request_headers (20
/// realistic headers, one of many user ids), response_headers, then K streamed SSE body chunks with usage in the last.
/// Built once; streams only copy bytes.
/// </summary>
internal sealed class StreamScript
{
    public StreamScript(int users, int bodyChunks, string authority)
    {
        RequestHeaders = new byte[users][];
        for (var u = 0; u < users; u++)
        {
            RequestHeaders[u] = Frame(new ProcessingRequest { RequestHeaders = EnvoyHeaders.Headers(EnvoyHeaders.RealisticRequest(authority, $"user-{u:D7}"), endOfStream: false) });
        }

        ResponseHeaders = Frame(new ProcessingRequest
        {
            ResponseHeaders = EnvoyHeaders.Headers([(":status", "200"), ("content-type", "text/event-stream"), ("x-request-id", "5f0c6c2e-8a7d-4a52-9d0b-1f6f4c2b7e11"), ("date", "Thu, 26 Nov 2026 09:00:00 GMT")], endOfStream: false),
        });
        BodyChunks = new byte[bodyChunks][];
        for (var i = 0; i < bodyChunks; i++)
        {
            var last = i == bodyChunks - 1;
            var sse = last
                ? "data: {\"id\":\"chatcmpl-1\",\"object\":\"chat.completion.chunk\",\"model\":\"gpt-4o\",\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}],\"usage\":{\"prompt_tokens\":412,\"completion_tokens\":" + bodyChunks + ",\"total_tokens\":" + (412 + bodyChunks) + "}}\n\ndata: [DONE]\n\n"
                : "data: {\"id\":\"chatcmpl-1\",\"object\":\"chat.completion.chunk\",\"model\":\"gpt-4o\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\" token" + i + "\"},\"finish_reason\":null}]}\n\n";
            BodyChunks[i] = Frame(new ProcessingRequest { ResponseBody = new HttpBody { Body = ByteString.CopyFromUtf8(sse), EndOfStream = last } });
        }
    }

    public byte[][] RequestHeaders { get; }

    public byte[] ResponseHeaders { get; }

    public byte[][] BodyChunks { get; }

    private static byte[] Frame(ProcessingRequest request) => request.ToByteArray();
}
