using BenchmarkDotNet.Attributes;
using Canary.Contracts.Pricing;
using Canary.Contracts.Rollouts;
using Canary.EnvoyClient.ExtProc;
using Canary.Sidecar.Configuration;
using Canary.Sidecar.Model;
using Canary.Sidecar.ModelRewrite;
using Canary.Sidecar.Processing;
using Canary.Sidecar.Routing;
using Canary.Sidecar.Telemetry;
using Canary.Sidecar.Telemetry.Recording;
using Canary.Sidecar.Telemetry.Scanning;
using Canary.Sidecar.Wire;
using Envoy.Config.Core.V3;
using Envoy.Service.ExtProc.V3;
using Google.Protobuf;
using Microsoft.Extensions.ObjectPool;

namespace Canary.Benchmarks.Processing;

/// <summary>
/// One whole ext_proc exchange as the load harness sends it, through the processor with the telemetry observer the
/// sidecar registers: request_headers, response_headers (SSE), 4 streamed body chunks with usage in the last, end of
/// stream. Everything the sidecar itself does per stream, without the gRPC and HTTP/2 layers around it. The table has a
/// telemetry registry, as in the sidecar, so the exchange is recorded into its arm.
/// </summary>
[Config(typeof(BenchmarkConfig))]
public class ExchangeBenchmarks
{
    private byte[][] _frames = [];
    private ExchangeProcessor _processor = null!;
    private ProcessingAnswerPool _answers = null!;

    [GlobalSetup]
    public void Setup()
    {
        var request = new HeaderMap();
        foreach (var (key, value) in EnvoyHeaders.RealisticRequest("chat.example.internal", "user-0012345"))
        {
            request.Headers.Add(new HeaderValue { Key = key, RawValue = ByteString.CopyFromUtf8(value) });
        }

        var response = new HeaderMap();
        response.Headers.Add(new HeaderValue { Key = ":status", RawValue = ByteString.CopyFromUtf8("200") });
        response.Headers.Add(new HeaderValue { Key = "content-type", RawValue = ByteString.CopyFromUtf8("text/event-stream") });
        var frames = new List<byte[]>
        {
            new ProcessingRequest { RequestHeaders = new HttpHeaders { Headers = request } }.ToByteArray(),
            new ProcessingRequest { ResponseHeaders = new HttpHeaders { Headers = response } }.ToByteArray(),
        };
        for (var i = 0; i < 4; i++)
        {
            var last = i == 3;
            var sse = last
                ? "data: {\"id\":\"chatcmpl-1\",\"object\":\"chat.completion.chunk\",\"model\":\"gpt-4o\",\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}],\"usage\":{\"prompt_tokens\":412,\"completion_tokens\":4,\"total_tokens\":416}}\n\ndata: [DONE]\n\n"
                : "data: {\"id\":\"chatcmpl-1\",\"object\":\"chat.completion.chunk\",\"model\":\"gpt-4o\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\" token\"},\"finish_reason\":null}]}\n\n";
            frames.Add(new ProcessingRequest { ResponseBody = new HttpBody { Body = ByteString.CopyFromUtf8(sse), EndOfStream = last } }.ToByteArray());
        }

        _frames = [.. frames];
        var tables = new RolloutTableHolder(new RoutingSettings(new RoutingOptions()), TimeProvider.System, new TelemetryRegistry());
        tables.TryApply(new RolloutTable
        {
            Generation = 1,
            Rollouts = [new RolloutDefinition { RouteKey = "chat.example.internal", StableSubset = "stable", CanarySubset = "canary", CanaryWeightBasisPoints = 2500, Salt = "salt" }],
        }, out _);
        var counters = new ProcessingCounters();
        _answers = new ProcessingAnswerPool();
        var rewrites = new RequestBodyHandler(_answers, ModelRewriteLimits.Default);
        var observer = new TelemetryObserver(TimeProvider.System, new PriceTable([]), new DefaultObjectPool<ResponseScanner>(new ResponseScannerPoolPolicy(), maximumRetained: 16));
        _processor = new ExchangeProcessor(tables, new RequestHeadersHandler(new SubsetSelector(new SplitMixRequestRandom(1)), counters, rewrites), rewrites, counters, TimeProvider.System, [observer]);
    }

    [Benchmark(Description = "whole exchange: headers, SSE response, 4 chunks, telemetry")]
    public int Exchange()
    {
        var state = default(ExchangeState);
        var bytes = 0;
        foreach (var frame in _frames)
        {
            // The stream loop returns every answer once it is written; so does this.
            var answer = _processor.Handle(frame, ref state)!;
            bytes += answer.Payload.Length;
            _answers.Return(answer);
        }

        _processor.EndExchange(ref state, cancelled: false);
        return bytes;
    }
}
