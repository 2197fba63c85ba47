using System.Buffers;
using System.Security.Cryptography;
using System.Text;
using BenchmarkDotNet.Attributes;
using Canary.Contracts.Rollouts;
using Canary.EnvoyClient.ExtProc;
using Canary.Sidecar.Configuration;
using Canary.Sidecar.Model;
using Canary.Sidecar.ModelRewrite;
using Canary.Sidecar.Processing;
using Canary.Sidecar.Routing;
using Canary.Sidecar.Wire;
using Envoy.Config.Core.V3;
using Envoy.Service.ExtProc.V3;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;

namespace Canary.Benchmarks.Processing;

/// <summary>
/// The decision path for a realistic 20-header request_headers message: from the received bytes to the bytes of the
/// answer. The baseline is the obvious implementation: parse into generated message objects, compare header strings,
/// bucket the user by MD5 as naive routers do, build a generated response and serialize it.
/// </summary>
[Config(typeof(BenchmarkConfig))]
public class DecisionPathBenchmarks
{
    private readonly ArrayBufferWriter<byte> _output = new(256);
    private byte[] _frame = [];
    private ExchangeProcessor _processor = null!;
    private byte[] _metadataFrame = [];
    private ExchangeProcessor _metadataProcessor = null!;

    [GlobalSetup]
    public void Setup()
    {
        var map = new HeaderMap();
        foreach (var (key, value) in EnvoyHeaders.RealisticRequest("chat.example.internal", "user-0012345"))
        {
            map.Headers.Add(new HeaderValue { Key = key, RawValue = ByteString.CopyFromUtf8(value) });
        }

        _frame = new ProcessingRequest { RequestHeaders = new HttpHeaders { Headers = map, EndOfStream = false } }.ToByteArray();
        _processor = Processor(new RoutingOptions());

        // The same request with the user in jwt_authn's payload, forwarded as Envoy's metadata_context; the sidecar
        // reads the user key from there and not from the headers.
        var payload = new Struct();
        payload.Fields["iss"] = Value.ForString("https://issuer.example");
        payload.Fields["sub"] = Value.ForString("user-0012345");
        payload.Fields["tenant"] = Value.ForString("tenant-7");
        var jwt = new Struct();
        jwt.Fields["jwt_payload"] = Value.ForStruct(payload);
        var metadata = new Metadata();
        metadata.FilterMetadata.Add("envoy.filters.http.jwt_authn", jwt);
        _metadataFrame = new ProcessingRequest
        {
            RequestHeaders = new HttpHeaders { Headers = map, EndOfStream = false },
            MetadataContext = metadata,
        }.ToByteArray();
        _metadataProcessor = Processor(new RoutingOptions
        {
            UserKeyMetadata = new MetadataKeyOptions { Namespace = "envoy.filters.http.jwt_authn", Path = "jwt_payload.sub" },
            TenantMetadata = new MetadataKeyOptions { Namespace = "envoy.filters.http.jwt_authn", Path = "jwt_payload.tenant" },
        });
    }

    private static ExchangeProcessor Processor(RoutingOptions options)
    {
        var tables = new RolloutTableHolder(new RoutingSettings(options), TimeProvider.System);
        var rollouts = new List<RolloutDefinition>();
        for (var i = 0; i < 100; i++)
        {
            rollouts.Add(new RolloutDefinition
            {
                RouteKey = i == 42 ? "chat.example.internal" : $"model-{i}.example.internal",
                StableSubset = "stable",
                CanarySubset = "canary",
                CanaryWeightBasisPoints = 2500,
                Salt = $"salt-{i}",
            });
        }

        tables.TryApply(new RolloutTable { Generation = 1, Rollouts = rollouts }, out _);
        var counters = new ProcessingCounters();
        var rewrites = new RequestBodyHandler(new ProcessingAnswerPool(), ModelRewriteLimits.Default);
        return new ExchangeProcessor(tables, new RequestHeadersHandler(new SubsetSelector(new SplitMixRequestRandom(1)), counters, rewrites), rewrites, counters, TimeProvider.System);
    }

    [Benchmark(Baseline = true, Description = "generated messages + MD5 (obvious)")]
    public int Obvious()
    {
        var request = ProcessingRequest.Parser.ParseFrom(_frame);
        string? authority = null, user = null;
        foreach (var header in request.RequestHeaders.Headers.Headers)
        {
            var value = header.RawValue.ToStringUtf8();
            if (header.Key == ":authority")
            {
                authority = value;
            }
            else if (header.Key == "x-user-id")
            {
                user = value;
            }
        }

        var hash = MD5.HashData(Encoding.UTF8.GetBytes("salt-42" + user));
        var bucket = BitConverter.ToUInt32(hash, 0) % 10_000;
        var subset = authority == "chat.example.internal" && bucket < 2500 ? "canary" : "stable";
        var response = new ProcessingResponse
        {
            RequestHeaders = new HeadersResponse
            {
                Response = new CommonResponse
                {
                    ClearRouteCache = true,
                    HeaderMutation = new HeaderMutation
                    {
                        SetHeaders = { new HeaderValueOption { Header = new HeaderValue { Key = "x-canary-subset", RawValue = ByteString.CopyFromUtf8(subset) } } },
                    },
                },
            },
        };
        return response.ToByteArray().Length;
    }

    [Benchmark(Description = "span reader + snapshot + XxHash3 (sidecar)")]
    public int Sidecar()
    {
        var state = default(ExchangeState);
        var answer = _processor.Handle(_frame, ref state)!;
        _output.ResetWrittenCount();
        _output.Write(answer.Payload);
        return _output.WrittenCount;
    }

    [Benchmark(Description = "user key and tenant from metadata_context (sidecar)")]
    public int SidecarUserKeyFromMetadata()
    {
        var state = default(ExchangeState);
        var answer = _metadataProcessor.Handle(_metadataFrame, ref state)!;
        _output.ResetWrittenCount();
        _output.Write(answer.Payload);
        return _output.WrittenCount;
    }
}
