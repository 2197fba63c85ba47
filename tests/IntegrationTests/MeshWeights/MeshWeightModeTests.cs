using System.Text.Json.Nodes;
using Canary.IntegrationTests.Kubernetes;
using Canary.IntegrationTests.Postgres;
using Canary.IntegrationTests.Processes;
using Canary.IntegrationTests.StandIns;
using Xunit.Abstractions;

namespace Canary.IntegrationTests.MeshWeights;

/// <summary>
/// Mesh-weight mode configured as the chart configures it (<c>Canary__MeshWeights__*</c> in the environment, the API
/// server from the kubeconfig): real analyzer processes and real PostgreSQL against a local stand-in for the
/// Kubernetes API that keeps two VirtualServices and applies merge patches. The one whose hosts name the rollout
/// follows every weight change; a failed patch is reported with exit code 4 and made good by the next run.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class MeshWeightModeTests : IDisposable
{
    private const string Route = "chat.example.internal";
    private const string ChatPath = "/apis/networking.istio.io/v1/namespaces/models/virtualservices/chat";
    private const string OtherPath = "/apis/networking.istio.io/v1/namespaces/models/virtualservices/embeddings";
    private readonly PostgresServerFixture _postgres;
    private readonly ITestOutputHelper _output;
    private readonly string _directory = Directory.CreateTempSubdirectory("canary-mesh-").FullName;
    private readonly Lock _lock = new();
    private readonly Dictionary<string, JsonNode> _virtualServices = new(StringComparer.Ordinal)
    {
        [ChatPath] = VirtualService("chat", Route),
        [OtherPath] = VirtualService("embeddings", "embeddings.example.internal"),
    };

    private volatile bool _failPatches;
    private int _version = 1000;

    public MeshWeightModeTests(PostgresServerFixture postgres, ITestOutputHelper output)
    {
        _postgres = postgres;
        _output = output;
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [PostgresFact]
    public async Task RunOnceAndManualActions_RolloutWeights_FollowedByItsVirtualServiceAndRetriedAfterAFailure()
    {
        await using var dataSource = await _postgres.CreateDatabaseAsync();
        await using var api = new HttpStandIn(Answer);
        var kubeconfig = Path.Combine(_directory, "kubeconfig");
        await File.WriteAllTextAsync(kubeconfig, $"""
            apiVersion: v1
            kind: Config
            clusters:
              - name: stand-in
                cluster:
                  server: {api.Uri.ToString().TrimEnd('/')}
            users:
              - name: analyzer
                user:
                  token: analyzer-token
            contexts:
              - name: stand-in
                context:
                  cluster: stand-in
                  user: analyzer
            current-context: stand-in
            """);
        var environment = new Dictionary<string, string>
        {
            ["KUBECONFIG"] = kubeconfig,
            ["Canary__Database__ConnectionString"] = dataSource.ConnectionString,
            ["Canary__MeshWeights__Enabled"] = "true",
            ["Canary__MeshWeights__VirtualServices__0"] = "models/chat",
            ["Canary__MeshWeights__VirtualServices__1"] = "models/embeddings",
        };

        async Task<AnalyzerRun> RunAsync(params string[] args)
        {
            var run = await AnalyzerRun.RunAsync(args, environment);
            _output.WriteLine($"canary-analyzer {string.Join(' ', args)}: {run}");
            return run;
        }

        var start = await RunAsync("start", "--skip-preflight", "--route", Route, "--stable", "stable", "--canary", "canary", "--schedule", "5/1h,10/1h,100");
        Assert.True(start.ExitCode == 0, start.ToString());
        Assert.Contains($"mesh weights: VirtualService models/chat ({Route}): canary 0% -> 5%, stable 95%", start.Output, StringComparison.Ordinal);
        Assert.Equal((5, 95), Weights(ChatPath));

        // The API server refuses the patch: the promotion stands, the failure is reported, the exit code says partial.
        _failPatches = true;
        var promote = await RunAsync("promote", "--rollout", Route);
        Assert.True(promote.ExitCode == 4, promote.ToString());
        Assert.Contains($"{Route}: promote (5% -> 10%)", promote.Output, StringComparison.Ordinal);
        Assert.Contains($"mesh weights: VirtualService models/chat ({Route}): NOT set (Kubernetes API: patching VirtualService models/chat failed with HTTP 500", promote.Output, StringComparison.Ordinal);
        Assert.Contains("the next run tries again", promote.Output, StringComparison.Ordinal);
        Assert.Equal((5, 95), Weights(ChatPath));

        // The next run (a hold: no telemetry yet) brings the VirtualService to the table's weight.
        _failPatches = false;
        var run = await RunAsync("run-once");
        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains($"mesh weights: VirtualService models/chat ({Route}): canary 5% -> 10%, stable 90%", run.Output, StringComparison.Ordinal);
        Assert.Equal((10, 90), Weights(ChatPath));

        // Weights already right: read, not patched.
        var patches = api.Requests.Count(r => r.Method == "PATCH");
        Assert.Equal(0, (await RunAsync("run-once")).ExitCode);
        Assert.Equal(patches, api.Requests.Count(r => r.Method == "PATCH"));

        var rollback = await RunAsync("rollback", "--rollout", Route, "--reason", "latency");
        Assert.True(rollback.ExitCode == 0, rollback.ToString());
        Assert.Contains($"mesh weights: VirtualService models/chat ({Route}): canary 10% -> 0%, stable 100%", rollback.Output, StringComparison.Ordinal);
        Assert.Equal((0, 100), Weights(ChatPath));

        // The other VirtualService names no rollout: read every time, never patched; the header routes were kept.
        Assert.DoesNotContain(api.Requests, r => r.Method == "PATCH" && r.PathAndQuery == OtherPath);
        Assert.Contains(api.Requests, r => r.Method == "GET" && r.PathAndQuery == OtherPath);
        Assert.Equal(3, _virtualServices[ChatPath]["spec"]!["http"]!.AsArray().Count);
    }

    /// <summary>The chart's VirtualService: one route per subset header value, and the default route mesh-weight mode moves.</summary>
    private static JsonNode VirtualService(string name, string host) => JsonNode.Parse($$"""
        {
          "apiVersion": "networking.istio.io/v1", "kind": "VirtualService",
          "metadata": {"name": "{{name}}", "namespace": "models", "resourceVersion": "1000"},
          "spec": {
            "hosts": ["{{host}}"],
            "http": [
              {"name": "canary", "match": [{"headers": {"x-canary-subset": {"exact": "canary"} } }], "route": [{"destination": {"host": "{{name}}", "subset": "canary"} }]},
              {"name": "stable", "match": [{"headers": {"x-canary-subset": {"exact": "stable"} } }], "route": [{"destination": {"host": "{{name}}", "subset": "stable"} }]},
              {"name": "default", "route": [{"destination": {"host": "{{name}}", "subset": "stable"}, "weight": 100}, {"destination": {"host": "{{name}}", "subset": "canary"}, "weight": 0}]}
            ]
          }
        }
        """)!;

    private (int Canary, int Stable) Weights(string path)
    {
        lock (_lock)
        {
            var route = _virtualServices[path]["spec"]!["http"]![2]!["route"]!.AsArray();
            return (route[1]!["weight"]!.GetValue<int>(), route[0]!["weight"]!.GetValue<int>());
        }
    }

    /// <summary>GET answers the stored object; PATCH applies a JSON merge patch of spec.http, checking resourceVersion as the API server does.</summary>
    private StandInResponse Answer(StandInRequest request)
    {
        lock (_lock)
        {
            if (!_virtualServices.TryGetValue(request.PathAndQuery, out var stored))
            {
                return new StandInResponse(404, KubernetesResponses.Status(404, "NotFound", "not found"));
            }

            if (request.Method == "GET")
            {
                return StandInResponse.Json(stored.ToJsonString());
            }

            if (request.Method != "PATCH" || _failPatches)
            {
                return new StandInResponse(500, KubernetesResponses.Status(500, "InternalError", "etcdserver: request timed out"));
            }

            var patch = JsonNode.Parse(request.Body)!;
            if (patch["metadata"]?["resourceVersion"]?.GetValue<string>() != stored["metadata"]!["resourceVersion"]!.GetValue<string>())
            {
                return new StandInResponse(409, KubernetesResponses.Status(409, "Conflict", "the object has been modified"));
            }

            stored["spec"]!["http"] = patch["spec"]!["http"]!.DeepClone();
            stored["metadata"]!["resourceVersion"] = (++_version).ToString(System.Globalization.CultureInfo.InvariantCulture);
            return StandInResponse.Json(stored.ToJsonString());
        }
    }
}
