using System.Text;
using BenchmarkDotNet.Attributes;
using Canary.Contracts.Rollouts;
using Canary.Sidecar.Configuration;
using Canary.Sidecar.Model;
using Canary.Sidecar.Proxy;
using Canary.Sidecar.Routing;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Yarp.ReverseProxy.Forwarder;

namespace Canary.Benchmarks.Proxy;

/// <summary>
/// The proxy's own work on one request, apart from Kestrel and YARP: <see cref="ProxyRequestHandler.HandleAsync"/>
/// with a forwarder that answers at once, so what is measured is reading the ~1 KB chat body into the pooled buffer,
/// reading <c>model</c> and <c>user</c> from it, the request headers, the rollout lookup and the sticky assignment
/// (100 rollouts in the table), a model rewrite where the rollout has one, and the per-request objects around the
/// forwarding. The exchange observers (telemetry, tripwire) are left out here: their recording and scanning are
/// measured by <c>RecordingBenchmarks</c> and <c>ScanningBenchmarks</c>.
/// </summary>
[MemoryDiagnoser]
public class ProxyRequestBenchmarks
{
    private readonly DefaultHttpContext _context = new();
    private ProxyRequestHandler _handler = null!;
    private MemoryStream _subsetBody = null!;
    private MemoryStream _rewriteBody = null!;

    [GlobalSetup]
    public void Setup()
    {
        var routing = new RoutingSettings(new RoutingOptions());
        var tables = new RolloutTableHolder(routing, TimeProvider.System);
        var rollouts = new List<RolloutDefinition>();
        for (var i = 0; i < 98; i++)
        {
            rollouts.Add(new RolloutDefinition { RouteKey = $"model-{i}", StableSubset = "stable", CanarySubset = "canary", CanaryWeightBasisPoints = 2500, Salt = $"salt-{i}" });
        }

        rollouts.Add(new RolloutDefinition { RouteKey = "bench-model", StableSubset = "stable", CanarySubset = "canary", CanaryWeightBasisPoints = 5000, Salt = "bench" });
        // Every user is a canary user here, so every request is rewritten.
        rollouts.Add(new RolloutDefinition
        {
            RouteKey = "gpt-4o", StableSubset = "stable", CanarySubset = "canary", CanaryWeightBasisPoints = 10_000, Salt = "rewrite",
            StableModel = "gpt-4o", CanaryModel = "gpt-4.1",
        });
        if (!tables.TryApply(new RolloutTable { Generation = 1, Rollouts = rollouts }, out var error))
        {
            throw new InvalidOperationException($"benchmark table refused: {error}");
        }

        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Canary:Proxy:Enabled"] = "true",
            ["Canary:Proxy:Upstreams:stable:Url"] = "http://127.0.0.1:1",
            ["Canary:Proxy:Upstreams:canary:Url"] = "http://127.0.0.1:1",
            ["Canary:Proxy:DefaultUpstream"] = "stable",
        }).Build();
        var errors = new List<string>();
        var settings = ProxySettings.Load(configuration.GetSection("Canary:Proxy"), [], errors);
        if (errors.Count > 0)
        {
            throw new InvalidOperationException(string.Join("; ", errors));
        }

        _handler = new ProxyRequestHandler(
            tables, new SubsetSelector(new SplitMixRequestRandom(1)), new AnsweringForwarder(), settings, new ProxyUpstreams(settings),
            new ProxyCounters(), routing, TimeProvider.System, []);
        _subsetBody = new MemoryStream(ChatBody("bench-model"), writable: false);
        _rewriteBody = new MemoryStream(ChatBody("gpt-4o"), writable: false);
        var headers = _context.Request.Headers;
        _context.Request.Method = "POST";
        _context.Request.Path = "/v1/chat/completions";
        _context.Request.Host = new HostString("127.0.0.1:8080");
        headers.ContentType = "application/json";
        headers.Authorization = "Bearer sk-bench";
        headers.UserAgent = "OpenAI/Python 1.54.0";
        headers.Accept = "application/json";
        headers["x-stainless-lang"] = "python";
        headers["x-stainless-retry-count"] = "0";
        _context.Response.Body = Stream.Null;
    }

    [Benchmark(Baseline = true, Description = "proxy request, 50/50 rollout on the body's model (1 KB body)")]
    public Task Subset() => Handle(_subsetBody);

    [Benchmark(Description = "proxy request, model-rewrite rollout, canary user (1 KB body)")]
    public Task Rewrite() => Handle(_rewriteBody);

    private Task Handle(MemoryStream body)
    {
        body.Position = 0;
        _context.Request.Body = body;
        _context.Request.ContentLength = body.Length;
        return _handler.HandleAsync(_context);
    }

    /// <summary>The body the load driver of bench/run-proxy-overhead.sh sends, for one user.</summary>
    private static byte[] ChatBody(string model) => Encoding.UTF8.GetBytes(
        "{\"messages\":[{\"role\":\"system\",\"content\":\"You are a careful assistant for an operations team. Answer concisely, cite the log lines you rely on, and say when you are unsure.\"}," +
        "{\"role\":\"user\",\"content\":\"The p95 latency of the checkout service rose from 850 ms to 1.4 s after the deploy at 14:05 UTC. The error rate stayed at 0.2 %. Here is the stack trace of the slowest request:\\n  at Checkout.Handle(Request r)\\n  at Pipeline.Run()\\nWhat should we look at first?\"}," +
        "{\"role\":\"assistant\",\"content\":\"Start with what changed in the deploy: new queries, a new dependency call, or a changed pool size. Compare the slow request's spans with one from before 14:05.\"}," +
        "{\"role\":\"user\",\"content\":\"The deploy added a call to the pricing service. Summarise the likely cause in three bullet points and return JSON like {\\\"cause\\\": \\\"...\\\", \\\"confidence\\\": 0.5}.\"}]," +
        "\"temperature\":0.2,\"max_tokens\":512,\"stream\":true,\"stream_options\":{\"include_usage\":true},\"model\":\"" + model + "\",\"user\":\"user-0012345\"}");

    /// <summary>Stands in for YARP: the upstream answered at once with no body, so nothing of the forwarding is measured.</summary>
    private sealed class AnsweringForwarder : IHttpForwarder
    {
        public ValueTask<ForwarderError> SendAsync(HttpContext context, string destinationPrefix, HttpMessageInvoker httpClient, ForwarderRequestConfig requestConfig, HttpTransformer transformer) =>
            ValueTask.FromResult(ForwarderError.None);

        public ValueTask<ForwarderError> SendAsync(HttpContext context, string destinationPrefix, HttpMessageInvoker httpClient, ForwarderRequestConfig requestConfig, HttpTransformer transformer, CancellationToken cancellationToken) =>
            ValueTask.FromResult(ForwarderError.None);
    }
}
