using System.Text;
using Canary.IntegrationTests.Postgres;
using Canary.IntegrationTests.Processes;
using Canary.IntegrationTests.Proxy;
using Canary.Sidecar.Routing;
using Envoy.Config.Core.V3;
using Envoy.Extensions.Filters.Http.ExtProc.V3;
using Envoy.Service.ExtProc.V3;
using Google.Protobuf;
using Xunit.Abstractions;

namespace Canary.IntegrationTests.Quality;

/// <summary>
/// Quality samples in ext_proc mode, through the real sidecar process (the AOT binary under CI) and a real PostgreSQL,
/// with the test playing Envoy message by message: a sampled request's request_headers answer asks for the body
/// (mode_override request_body_mode BUFFERED_PARTIAL, which Envoy honours with allow_mode_override), Envoy then sends
/// the body and the streamed SSE answer, and one row holds the redacted request and the assembled answer; a sampled
/// exchange whose upstream fails is stored too, without an answer or a finish reason. Requests
/// that are not sampled (a forced tester, a request without a body, a rollout without a rate) get no mode override, so
/// Envoy never buffers their bodies.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class ExtProcQualitySampleTests
{
    private const string SampledRoute = "chat.example.internal";
    private const string QuietRoute = "quiet.example.internal";
    private const string Salt = "chat-q";

    private const string RequestBody = """{"model":"gpt-test","stream":true,"stream_options":{"include_usage":true},"messages":[{"role":"user","content":"Capital of France? Reply to ann@example.com"}]}""";

    // The answer as a model streams it, cut by the network into chunks that do not follow event boundaries.
    private static readonly string[] AnswerChunks =
    [
        "data: {\"id\":\"c1\",\"object\":\"chat.completion.chunk\",\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"\"},\"finish_reason\":null}]}\n\ndata: {\"id\":\"c1\",\"object\":\"chat.com",
        "pletion.chunk\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Paris is \"},\"finish_reason\":null}]}\n\ndata: {\"id\":\"c1\",\"object\":\"chat.completion.chunk\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"the capital.\"},\"finish_reason\":null}]}\n\n",
        "data: {\"id\":\"c1\",\"object\":\"chat.completion.chunk\",\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}\n\ndata: {\"id\":\"c1\",\"object\":\"chat.completion.chunk\",\"choices\":[],\"usage\":{\"prompt_tokens\":11,\"completion_tokens\":4,\"total_tokens\":15}}\n\ndata: [DONE]\n\n",
    ];

    private readonly PostgresServerFixture _postgres;
    private readonly ITestOutputHelper _output;

    public ExtProcQualitySampleTests(PostgresServerFixture postgres, ITestOutputHelper output)
    {
        _postgres = postgres;
        _output = output;
    }

    [PostgresFact]
    public async Task SampledExchange_BodyAskedForAndSentThenRowStored_UnsampledRequestsGetNoModeOverride()
    {
        await using var dataSource = await _postgres.CreateDatabaseAsync();
        var directory = Directory.CreateTempSubdirectory("canary-quality-extproc-");
        try
        {
            var token = Path.Combine(directory.FullName, "token");
            await File.WriteAllTextAsync(token, "quality-extproc-token");
            var rollouts = Path.Combine(directory.FullName, "rollouts.json");
            await File.WriteAllTextAsync(rollouts, $$"""
                {"generation": 1, "rollouts": [
                  {"routeKey": "{{SampledRoute}}", "stableSubset": "v1", "canarySubset": "v2", "canaryWeightBasisPoints": 5000, "salt": "{{Salt}}", "state": "active", "forcedCanaryUsers": ["tester"], "qualitySampleBasisPoints": 10000},
                  {"routeKey": "{{QuietRoute}}", "stableSubset": "v1", "canarySubset": "v2", "canaryWeightBasisPoints": 5000, "salt": "quiet", "state": "active"}
                ]}
                """);
            await using var sidecar = await SidecarProcess.StartAsync("quality-extproc", token, null,
            [
                $"--Canary:Routing:RolloutsFile={rollouts}",
                $"--Canary:Database:ConnectionString={dataSource.ConnectionString}",
                "--Canary:Telemetry:FlushInterval=00:00:01",
                @"--Canary:Quality:Redact:0=[\w.+-]+@[\w-]+\.[\w.]+",
            ]);
            var client = new ExternalProcessor.ExternalProcessorClient(sidecar.ExtProc);

            // Not sampled: the answers only set the subset header, with no mode override, so Envoy sends no body.
            foreach (var (route, user, hasBody) in new[] { (SampledRoute, "tester", true), (QuietRoute, "user-2", true), (SampledRoute, "user-3", false) })
            {
                using var call = client.Process();
                var answer = await SendAsync(call, new ProcessingRequest { RequestHeaders = RequestHeaders(route, user, endOfStream: !hasBody) });
                Assert.NotNull(answer.RequestHeaders);
                Assert.True(answer.ModeOverride is null, $"{user} on {route}: {answer.ModeOverride}");
                await SendAsync(call, new ProcessingRequest { ResponseHeaders = ResponseHeaders(endOfStream: true) });
                await EndAsync(call);
            }

            // Sampled: the headers answer asks for the body up to Envoy's buffer limit; then the exchange as Envoy runs it.
            string subset;
            using (var call = client.Process())
            {
                var headersAnswer = await SendAsync(call, new ProcessingRequest { RequestHeaders = RequestHeaders(SampledRoute, "user-1", endOfStream: false) });
                Assert.NotNull(headersAnswer.ModeOverride);
                Assert.Equal(ProcessingMode.Types.BodySendMode.BufferedPartial, headersAnswer.ModeOverride.RequestBodyMode);
                subset = headersAnswer.RequestHeaders.Response.HeaderMutation.SetHeaders.Single(h => h.Header.Key == "x-canary-subset").Header.RawValue.ToStringUtf8();

                var bodyAnswer = await SendAsync(call, new ProcessingRequest { RequestBody = new HttpBody { Body = ByteString.CopyFromUtf8(RequestBody), EndOfStream = true } });
                Assert.NotNull(bodyAnswer.RequestBody);
                Assert.Null(bodyAnswer.RequestBody.Response?.BodyMutation);

                var responseAnswer = await SendAsync(call, new ProcessingRequest { ResponseHeaders = ResponseHeaders(endOfStream: false) });
                Assert.Equal(ProcessingMode.Types.BodySendMode.Streamed, responseAnswer.ModeOverride.ResponseBodyMode);
                for (var i = 0; i < AnswerChunks.Length; i++)
                {
                    var chunkAnswer = await SendAsync(call, new ProcessingRequest { ResponseBody = new HttpBody { Body = ByteString.CopyFromUtf8(AnswerChunks[i]), EndOfStream = i == AnswerChunks.Length - 1 } });
                    Assert.NotNull(chunkAnswer.ResponseBody);
                }

                await EndAsync(call);
            }

            // Sampled too, but the upstream fails: no answer and no finish reason, still a sample (stored as "none").
            string failedSubset;
            using (var call = client.Process())
            {
                var headersAnswer = await SendAsync(call, new ProcessingRequest { RequestHeaders = RequestHeaders(SampledRoute, "user-4", endOfStream: false) });
                Assert.Equal(ProcessingMode.Types.BodySendMode.BufferedPartial, headersAnswer.ModeOverride.RequestBodyMode);
                failedSubset = headersAnswer.RequestHeaders.Response.HeaderMutation.SetHeaders.Single(h => h.Header.Key == "x-canary-subset").Header.RawValue.ToStringUtf8();
                await SendAsync(call, new ProcessingRequest { RequestBody = new HttpBody { Body = ByteString.CopyFromUtf8("""{"model":"gpt-test","messages":[]}"""), EndOfStream = true } });
                await SendAsync(call, new ProcessingRequest { ResponseHeaders = ResponseHeaders(endOfStream: true, status: "503") });
                await EndAsync(call);
            }

            var rows = await Eventually.UntilAsync(
                () => StoredQualitySample.ReadAllAsync(dataSource),
                r => r.Count >= 2,
                "the sampled exchanges' rows");
            foreach (var stored in rows)
            {
                _output.WriteLine(stored.ToString());
            }

            Assert.Equal(2, rows.Count);
            Assert.Equal(
                new StoredQualitySample(
                    SampledRoute, subset, subset == "v2" ? "canary" : "stable", StickyBucket.Compute(Encoding.UTF8.GetBytes(Salt), "user-1"u8), "quality-extproc", 200, "stop", 11, 4, false,
                    RequestBody.Replace("ann@example.com", "[redacted]", StringComparison.Ordinal), false, "Paris is the capital.", false),
                Assert.Single(rows, r => r.Status == 200));
            Assert.Equal(
                new StoredQualitySample(
                    SampledRoute, failedSubset, failedSubset == "v2" ? "canary" : "stable", StickyBucket.Compute(Encoding.UTF8.GetBytes(Salt), "user-4"u8), "quality-extproc", 503, "none", null, null, false,
                    """{"model":"gpt-test","messages":[]}""", false, "", false),
                Assert.Single(rows, r => r.Status == 503));

            // The unsampled exchanges ended before the sampled ones began: two samples drawn, two written, nothing else.
            await Eventually.UntilAsync(
                () => ProxySdkTests.ScrapeAsync(sidecar.MetricsPort),
                m => m.Contains("canary_quality_samples_total{result=\"written\"} 2", StringComparison.Ordinal),
                "the written samples counted");
            var metrics = await ProxySdkTests.ScrapeAsync(sidecar.MetricsPort);
            Assert.Contains("canary_quality_samples_total{result=\"sampled\"} 2", metrics, StringComparison.Ordinal);
            Assert.Contains("canary_quality_samples_total{result=\"no_request_body\"} 0", metrics, StringComparison.Ordinal);
            Assert.Contains("canary_quality_samples_total{result=\"rejected_by_database\"} 0", metrics, StringComparison.Ordinal);
            Assert.Equal(2, (await StoredQualitySample.ReadAllAsync(dataSource)).Count);
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    private static HttpHeaders RequestHeaders(string route, string user, bool endOfStream)
    {
        var headers = new HeaderMap();
        foreach (var (name, value) in new[] { (":authority", route), (":method", "POST"), (":path", "/v1/chat/completions"), ("content-type", "application/json"), ("x-user-id", user) })
        {
            headers.Headers.Add(new HeaderValue { Key = name, RawValue = ByteString.CopyFromUtf8(value) });
        }

        return new HttpHeaders { Headers = headers, EndOfStream = endOfStream };
    }

    private static HttpHeaders ResponseHeaders(bool endOfStream, string status = "200")
    {
        var headers = new HeaderMap();
        headers.Headers.Add(new HeaderValue { Key = ":status", RawValue = ByteString.CopyFromUtf8(status) });
        headers.Headers.Add(new HeaderValue { Key = "content-type", RawValue = ByteString.CopyFromUtf8("text/event-stream") });
        return new HttpHeaders { Headers = headers, EndOfStream = endOfStream };
    }

    /// <summary>Sends one message and returns the sidecar's answer to it (ext_proc answers every message in order).</summary>
    private static async Task<ProcessingResponse> SendAsync(Grpc.Core.AsyncDuplexStreamingCall<ProcessingRequest, ProcessingResponse> call, ProcessingRequest request)
    {
        await call.RequestStream.WriteAsync(request);
        Assert.True(await call.ResponseStream.MoveNext(CancellationToken.None));
        return call.ResponseStream.Current;
    }

    /// <summary>Ends the stream as Envoy does after the exchange, and waits for the sidecar to close its side.</summary>
    private static async Task EndAsync(Grpc.Core.AsyncDuplexStreamingCall<ProcessingRequest, ProcessingResponse> call)
    {
        await call.RequestStream.CompleteAsync();
        Assert.False(await call.ResponseStream.MoveNext(CancellationToken.None));
    }
}
