using System.Buffers;
using System.Text;
using BenchmarkDotNet.Attributes;
using Canary.Sidecar.Model;
using Canary.Sidecar.ModelRewrite;
using Canary.Sidecar.Wire;

namespace Canary.Benchmarks.ModelRewrite;

/// <summary>Rewriting the model of a 4 KB and a 100 KB OpenAI-style chat request: scan, rewrite into pooled or fresh buffers, and the ext_proc reply.</summary>
[MemoryDiagnoser]
public class ModelRewriteBenchmarks
{
    private static readonly ModelRewriteRule Rule = new(new ModelName("gpt-4o"), new ModelName("gpt-5"));

    private byte[] _body = [];
    private PooledBufferWriter _pooled = null!;

    [Params(4 * 1024, 100 * 1024)]
    public int BodyBytes { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _body = ChatRequest(BodyBytes);
        _pooled = new PooledBufferWriter();
        if (ModelBodyRewriter.Rewrite(_body, Rule, ModelRewriteLimits.Default, _pooled) != ModelRewriteResult.Rewritten)
        {
            throw new InvalidOperationException("benchmark body is not rewritable");
        }
    }

    [GlobalCleanup]
    public void Cleanup() => _pooled.Dispose();

    [Benchmark(Description = "Scan only (validate + locate)")]
    public int Scan() =>
        (int)ModelFieldScanner.Scan(_body, Rule.To.Utf8, Rule.From!.Utf8, ModelRewriteLimits.Default, out _);

    [Benchmark(Baseline = true, Description = "Rewrite into reused pooled writer")]
    public int RewritePooled()
    {
        _pooled.Reset();
        ModelBodyRewriter.Rewrite(_body, Rule, ModelRewriteLimits.Default, _pooled);
        return _pooled.WrittenCount;
    }

    [Benchmark(Description = "Rewrite into fresh ArrayBufferWriter")]
    public int RewriteFreshBuffer()
    {
        var output = new ArrayBufferWriter<byte>(_body.Length + 16);
        ModelBodyRewriter.Rewrite(_body, Rule, ModelRewriteLimits.Default, output);
        return output.WrittenCount;
    }

    [Benchmark(Description = "Plan + ext_proc request_body reply (pooled)")]
    public int ReplyPooled()
    {
        _pooled.Reset();
        ModelBodyRewriter.Plan(_body, Rule, ModelRewriteLimits.Default, out var rewritten);
        return RequestBodyReplyWriter.Write(_pooled, RequestBodyReply.Replace(rewritten, setContentLength: true));
    }

    /// <summary>A deterministic chat completion request of about <paramref name="size"/> bytes: messages first, model after, as SDKs send it.</summary>
    internal static byte[] ChatRequest(int size)
    {
        var random = new Random(42);
        string[] sentences =
        [
            "Summarise the incident report below in three bullet points.",
            "The p95 latency rose from 850 ms to 1.4 s after the deploy at 14:05 UTC.",
            "Here is the stack trace:\n  at Service.Handle(Request r)\n  at Pipeline.Run()",
            "She said \"roll it back\" and the error rate dropped to 0.2 %.",
            "Temperature is 21 °C in Zürich; the café opened at 08:00 — 東京 is 8 hours ahead.",
            "Return JSON like {\"status\": \"ok\", \"items\": [1, 2, 3]} and nothing else.",
            "Use the tool `get_weather` with {\"city\": \"Paris\"} if needed.",
        ];
        var json = new StringBuilder();
        json.Append("{\"messages\":[{\"role\":\"system\",\"content\":\"You are a careful assistant. Answer concisely.\"}");
        var role = "user";
        while (json.Length < size - 400)
        {
            json.Append(",{\"role\":\"").Append(role).Append("\",\"content\":\"");
            var count = random.Next(2, 6);
            for (var i = 0; i < count; i++)
            {
                json.Append(JsonEscape(sentences[random.Next(sentences.Length)])).Append(' ');
            }

            json.Append("\"}");
            role = role == "user" ? "assistant" : "user";
        }

        json.Append("],\"model\":\"gpt-4o\",\"temperature\":0.2,\"max_tokens\":1024,\"stream\":true,");
        json.Append("\"stream_options\":{\"include_usage\":true},\"user\":\"user-1234\",");
        json.Append("\"metadata\":{\"tenant\":\"acme\",\"trace\":\"");
        var bytes = Encoding.UTF8.GetByteCount(json.ToString());
        json.Append('x', Math.Max(0, size - bytes - 3)).Append("\"}}");
        return Encoding.UTF8.GetBytes(json.ToString());
    }

    private static string JsonEscape(string text) => text
        .Replace("\\", "\\\\", StringComparison.Ordinal)
        .Replace("\"", "\\\"", StringComparison.Ordinal)
        .Replace("\n", "\\n", StringComparison.Ordinal);
}
