using System.Text;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using Canary.Sidecar.Telemetry.Scanning;

namespace Canary.Benchmarks.Telemetry;

/// <summary>Response-body scanning as the sidecar does it per chunk: throughput and allocation (budget: 0 B).</summary>
[Config(typeof(Config))]
public class ScanningBenchmarks
{
    private static readonly byte[] OpenAISse = BuildOpenAISse(out OpenAISseCuts);
    private static readonly int[] OpenAISseCuts;
    private static readonly byte[] AnthropicSse = BuildAnthropicSse(out AnthropicSseCuts);
    private static readonly int[] AnthropicSseCuts;
    private static readonly byte[] OpenAIJson = BuildOpenAIJson();

    private readonly ResponseScanner _scanner = new();

    /// <summary>Fails the run if a body does not scan cleanly, so the figures never measure an error path.</summary>
    [GlobalSetup]
    public void VerifyBodies()
    {
        Check(Scan(ResponseBodyFormat.EventStream, OpenAISse, OpenAISseCuts), OpenAISse, 100);
        Check(Scan(ResponseBodyFormat.EventStream, OpenAISse, []), OpenAISse, 100);
        Check(Scan(ResponseBodyFormat.EventStream, AnthropicSse, AnthropicSseCuts), AnthropicSse, 100);
        Check(Scan(ResponseBodyFormat.Json, OpenAIJson, []), OpenAIJson, 600);

        static void Check(ResponseUsage usage, byte[] body, long expected)
        {
            if (usage.OutputTokens != expected || usage.Flags != ScanFlags.None || !usage.FirstContentSeen || usage.TotalBytes != body.Length)
            {
                throw new InvalidOperationException($"Benchmark body scanned wrongly: {usage}");
            }
        }
    }

    /// <summary>OpenAI chat stream with include_usage: 100 content deltas, finish, usage, [DONE]; one event per chunk.</summary>
    [Benchmark]
    public long OpenAIChatSse100Events() => Scan(ResponseBodyFormat.EventStream, OpenAISse, OpenAISseCuts).OutputTokens ?? -1;

    /// <summary>The same stream delivered in one chunk (Envoy buffering, or a fast upstream).</summary>
    [Benchmark]
    public long OpenAIChatSseOneChunk() => Scan(ResponseBodyFormat.EventStream, OpenAISse, []).OutputTokens ?? -1;

    /// <summary>Anthropic stream: message_start, 100 text deltas, message_delta, message_stop; one event per chunk.</summary>
    [Benchmark]
    public long AnthropicSse100Events() => Scan(ResponseBodyFormat.EventStream, AnthropicSse, AnthropicSseCuts).OutputTokens ?? -1;

    /// <summary>Non-streamed chat completion of about 4 KB.</summary>
    [Benchmark]
    public long OpenAIChatJson() => Scan(ResponseBodyFormat.Json, OpenAIJson, []).OutputTokens ?? -1;

    private static long BodyBytes(string method) => method switch
    {
        nameof(OpenAIChatSse100Events) or nameof(OpenAIChatSseOneChunk) => OpenAISse.Length,
        nameof(AnthropicSse100Events) => AnthropicSse.Length,
        nameof(OpenAIChatJson) => OpenAIJson.Length,
        _ => 0,
    };

    private ResponseUsage Scan(ResponseBodyFormat format, byte[] body, int[] cuts)
    {
        _scanner.Start(format, 200);
        var start = 0;
        for (var i = 0; i < cuts.Length; i++)
        {
            _scanner.Feed(body.AsSpan(start, cuts[i] - start));
            start = cuts[i];
        }

        _scanner.Feed(body.AsSpan(start));
        return _scanner.Complete();
    }

    private static byte[] BuildOpenAISse(out int[] cuts)
    {
        var events = new List<string>
        {
            """{"id":"chatcmpl-BenchMark0001","object":"chat.completion.chunk","created":1732600000,"model":"gpt-4o-mini-2024-07-18","system_fingerprint":"fp_0ba0d124f1","choices":[{"index":0,"delta":{"role":"assistant","content":"","refusal":null},"logprobs":null,"finish_reason":null}],"usage":null}""",
        };
        for (var i = 0; i < 100; i++)
        {
            events.Add("{\"id\":\"chatcmpl-BenchMark0001\",\"object\":\"chat.completion.chunk\",\"created\":1732600000,\"model\":\"gpt-4o-mini-2024-07-18\",\"system_fingerprint\":\"fp_0ba0d124f1\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\""
                + Word(i) + "\"},\"logprobs\":null,\"finish_reason\":null}],\"usage\":null}");
        }

        events.Add("""{"id":"chatcmpl-BenchMark0001","object":"chat.completion.chunk","created":1732600000,"model":"gpt-4o-mini-2024-07-18","system_fingerprint":"fp_0ba0d124f1","choices":[{"index":0,"delta":{},"logprobs":null,"finish_reason":"stop"}],"usage":null}""");
        events.Add("""{"id":"chatcmpl-BenchMark0001","object":"chat.completion.chunk","created":1732600000,"model":"gpt-4o-mini-2024-07-18","system_fingerprint":"fp_0ba0d124f1","choices":[],"usage":{"prompt_tokens":2048,"completion_tokens":100,"total_tokens":2148,"prompt_tokens_details":{"cached_tokens":1920,"audio_tokens":0},"completion_tokens_details":{"reasoning_tokens":0,"audio_tokens":0,"accepted_prediction_tokens":0,"rejected_prediction_tokens":0}}}""");
        events.Add("[DONE]");
        return Join(events, null, out cuts);
    }

    private static byte[] BuildAnthropicSse(out int[] cuts)
    {
        var events = new List<string>
        {
            """{"type":"message_start","message":{"id":"msg_01BenchMark","type":"message","role":"assistant","content":[],"model":"claude-sonnet-4-5-20250929","stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":2048,"cache_creation_input_tokens":0,"cache_read_input_tokens":1920,"output_tokens":1}}}""",
            """{"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}""",
        };
        for (var i = 0; i < 100; i++)
        {
            events.Add("{\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"" + Word(i) + "\"}}");
        }

        events.Add("""{"type":"content_block_stop","index":0}""");
        events.Add("""{"type":"message_delta","delta":{"stop_reason":"end_turn","stop_sequence":null},"usage":{"output_tokens":100}}""");
        events.Add("""{"type":"message_stop"}""");
        return Join(events, "anthropic", out cuts);
    }

    private static byte[] BuildOpenAIJson()
    {
        var content = new StringBuilder();
        for (var i = 0; i < 600; i++)
        {
            content.Append(Word(i));
        }

        const string Head = """{"id":"chatcmpl-BenchMark0002","object":"chat.completion","created":1741569952,"model":"gpt-4.1-2025-04-14","choices":[{"index":0,"message":{"role":"assistant","content":"Sure.""";
        const string Tail = "\"" + ""","refusal":null,"annotations":[]},"logprobs":null,"finish_reason":"stop"}],"usage":{"prompt_tokens":1319,"completion_tokens":600,"total_tokens":1919,"prompt_tokens_details":{"cached_tokens":1152,"audio_tokens":0},"completion_tokens_details":{"reasoning_tokens":0,"audio_tokens":0,"accepted_prediction_tokens":0,"rejected_prediction_tokens":0}},"service_tier":"default","system_fingerprint":"fp_ee1d74bde0"}""";
        return Encoding.UTF8.GetBytes(Head + content + Tail);
    }

    private static string Word(int i) => (i % 7) switch
    {
        0 => " the",
        1 => " canary",
        2 => " rollout",
        3 => " caf\\u00e9",
        4 => ",\\n",
        5 => " token",
        _ => " stream",
    };

    private static byte[] Join(List<string> events, string? eventNames, out int[] cuts)
    {
        var body = new StringBuilder();
        cuts = new int[events.Count - 1];
        for (var i = 0; i < events.Count; i++)
        {
            if (eventNames is not null)
            {
                body.Append("event: ").Append(EventType(events[i])).Append('\n');
            }

            body.Append("data: ").Append(events[i]).Append("\n\n");
            if (i < cuts.Length)
            {
                cuts[i] = Encoding.UTF8.GetByteCount(body.ToString());
            }
        }

        return Encoding.UTF8.GetBytes(body.ToString());
    }

    private static string EventType(string json)
    {
        var start = json.IndexOf("\"type\":\"", StringComparison.Ordinal) + 8;
        return json[start..json.IndexOf('"', start)];
    }

    private sealed class Config : ManualConfig
    {
        public Config()
        {
            Add(new BenchmarkConfig());
            AddColumn(new ThroughputColumn(BodyBytes));
        }
    }
}
