using System.Runtime.Versioning;
using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using Canary.Demo.FakeModels;
using Canary.IntegrationTests.Chart.Cluster;
using Canary.IntegrationTests.Chart.Envoy;
using Canary.IntegrationTests.Chart.Kubernetes;
using Canary.IntegrationTests.Chart.Manifests;
using Canary.IntegrationTests.Processes;
using Npgsql;
using Xunit.Abstractions;

namespace Canary.IntegrationTests.Chart;

/// <summary>
/// One rendered install of the chart, running on this machine as a cluster would run it. How in-cluster things map to
/// local ones (each the way a cluster resolves it, nothing the chart would not configure):
/// <list type="bullet">
/// <item>Pods: network namespaces on one bridge (<see cref="ClusterNetwork"/>), each with its pod IP; a container's
/// ports are the rendered ones in its own namespace (sidecar mode's 127.0.0.1:50051 is the pod's loopback).</item>
/// <item>Volumes: directories bind-mounted at their rendered mountPaths in each container's mount namespace
/// (<see cref="Kubelet"/>); the image's /app is the eng/publish-aot.sh output (<see cref="ContainerPaths"/>).</item>
/// <item>Secrets the user creates before installing: the control token, and the database connection string naming
/// PostgreSQL by its Service name.</item>
/// <item>Services outside the chart, by name through each pod's hosts file and ClusterIP forwarding
/// (<see cref="ServiceForwarder"/>): postgres.&lt;namespace&gt;.svc.cluster.local to the test's PostgreSQL
/// (CANARY_TEST_POSTGRES), kubernetes.default.svc (10.96.0.1:443, KUBERNETES_SERVICE_HOST/PORT) to the API stand-in,
/// chat-v1/chat-v2.models.svc.cluster.local:8000 to the inference pods (for the preflight).</item>
/// <item>The sidecars' control endpoints: pod IP and the rendered control port, as discovery lists them.</item>
/// <item>Envoy: <see cref="EnvoyStandIn"/> in the workload pod's namespace (sidecar mode) or the ingress gateway's
/// (gateway mode; the headless Service's name resolves to the ready gateway-mode pods, as cluster DNS does).</item>
/// <item>Inference pods (not the chart's): fake model servers (src/Demo/FakeModels) on the test's loopback; the Envoy
/// stand-in's upstream connections go there, picked by the DestinationRule subset's labels.</item>
/// </list>
/// </summary>
[SupportedOSPlatform("linux")]
internal sealed class ChartCluster : IAsyncDisposable
{
    public const string ModelsHost = "chat.models.svc.cluster.local";
    private readonly List<IAsyncDisposable> _owned = [];
    private readonly ITestOutputHelper _output;
    private readonly string _workDirectory;

    private ChartCluster(RenderedChart chart, ITestOutputHelper output, string workDirectory)
    {
        Chart = chart;
        _output = output;
        _workDirectory = workDirectory;
    }

    public RenderedChart Chart { get; }

    public string ControlToken { get; } = "e2e-" + Guid.NewGuid().ToString("N");

    public ClusterNetwork Network { get; private set; } = null!;

    public ClusterObjects Objects { get; private set; } = null!;

    public Kubelet Kubelet { get; private set; } = null!;

    public KubernetesApiStandIn Api { get; private set; } = null!;

    public NpgsqlDataSource Database { get; private set; } = null!;

    public FakeModelServer Stable { get; private set; } = null!;

    public FakeModelServer Canary { get; private set; } = null!;

    /// <summary>Sidecar-mode workload pods and gateway-mode pods: every pod with a canary-sidecar container.</summary>
    public List<RunningPod> SidecarPods { get; } = [];

    /// <summary>One Envoy per workload pod (sidecar mode), or the ingress gateway's (gateway mode).</summary>
    public List<EnvoyStandIn> Envoys { get; } = [];

    public RunningPod? AnalyzerPod { get; private set; }

    public CronJobController? CronJob { get; private set; }

    public string Namespace => Chart.Namespace;

    public string SubsetHeader { get; private set; } = "x-canary-subset";

    /// <param name="chart">The rendered install.</param>
    /// <param name="database">The test's database; the Secret's connection string names it through the postgres Service.</param>
    /// <param name="output">Where operator commands and their output are written.</param>
    /// <param name="stable">The stable inference pods' behaviour.</param>
    /// <param name="canary">The canary inference pods' behaviour.</param>
    /// <param name="workloadReplicas">Sidecar mode: how many workload pods carry the snippet's sidecar.</param>
    public static async Task<ChartCluster> StartAsync(RenderedChart chart, NpgsqlDataSource database, ITestOutputHelper output, ModelBehavior stable, ModelBehavior canary, int workloadReplicas = 2)
    {
        var work = Directory.CreateTempSubdirectory("canary-chart-e2e-");
        // Outside /tmp: each container gets its own /tmp (the emptyDir), and its volumes and image are bind-mounted from here.
        var workDirectory = Path.Combine("/var/tmp", work.Name);
        work.Delete();
        Directory.CreateDirectory(workDirectory);
        File.SetUnixFileMode(workDirectory, (UnixFileMode)Convert.ToInt32("755", 8));
        var cluster = new ChartCluster(chart, output, workDirectory);
        try
        {
            await cluster.InstallAsync(database, stable, canary, workloadReplicas);
            return cluster;
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }
    }

    private async Task InstallAsync(NpgsqlDataSource database, ModelBehavior stable, ModelBehavior canary, int workloadReplicas)
    {
        Database = database;
        var paths = new ContainerPaths(_workDirectory);
        Network = ClusterNetwork.Create();
        var certificates = new ApiCertificates(IPAddress.Parse("10.96.0.1"));
        Objects = new ClusterObjects(Chart.Objects);
        Api = await KubernetesApiStandIn.StartAsync(Objects, certificates);
        _owned.Add(Api);
        var apiService = Network.AddService(443, Api.Endpoint, "kubernetes", "kubernetes.default", "kubernetes.default.svc", "kubernetes.default.svc.cluster.local");
        Assert.Equal("10.96.0.1", apiService.Address.ToString());

        var postgres = new NpgsqlConnectionStringBuilder(database.ConnectionString);
        var postgresName = $"postgres.{Namespace}.svc.cluster.local";
        Network.AddService(5432, new IPEndPoint(IPAddress.Parse(postgres.Host!), postgres.Port), "postgres", postgresName);

        Stable = await FakeModelServer.StartAsync(stable, seed: 1, TimeProvider.System);
        Canary = await FakeModelServer.StartAsync(canary, seed: 2, TimeProvider.System);
        _owned.Add(Stable);
        _owned.Add(Canary);
        Network.AddService(8000, Endpoint(Stable.BaseAddress), "chat-v1.models.svc.cluster.local");
        Network.AddService(8000, Endpoint(Canary.BaseAddress), "chat-v2.models.svc.cluster.local");
        _backends =
        [
            new(ModelsHost, new Dictionary<string, string> { ["version"] = "v1" }, Stable.BaseAddress),
            new(ModelsHost, new Dictionary<string, string> { ["version"] = "v2" }, Canary.BaseAddress),
        ];
        Func<IReadOnlyList<InferenceBackend>> backends = () => Volatile.Read(ref _backends);

        // The user's Secrets, named as the values name them (created before helm install, as the chart README says).
        Objects.Secrets[$"{Namespace}/{ControlTokenSecret}"] = new Dictionary<string, string> { [ControlTokenKey] = ControlToken };
        Objects.Secrets[$"{Namespace}/canary-database"] = new Dictionary<string, string>
        {
            ["connection-string"] = $"Host={postgresName};Port=5432;Database={postgres.Database};Username={postgres.Username};Pooling=false",
        };

        Kubelet = new Kubelet(Network, Objects, paths, apiService, certificates.AuthorityPem);
        var routes = new MeshRoutes(Chart.OfKind("VirtualService"), Chart.OfKind("DestinationRule"));
        SubsetHeader = Chart.OfKind("VirtualService").Select(vs => vs["spec"]!["http"]![0]!["match"]![0]!["headers"]!.AsObject().Single().Key).FirstOrDefault() ?? SubsetHeader;

        if (Chart.Find("ConfigMap", $"{Chart.Release}-sidecar-sidecar-snippet") is { } snippet)
        {
            var envoyFilter = EnvoyFilterConfig.Decode(Chart.OfKind("EnvoyFilter").Single(f => (string?)f["metadata"]!["namespace"] == Namespace));
            for (var replica = 0; replica < workloadReplicas; replica++)
            {
                var pod = Kubelet.StartPod($"chat-client-{replica}", Namespace, WorkloadTemplate(snippet));
                SidecarPods.Add(pod);
                _owned.Add(pod);
                var envoy = new EnvoyStandIn(envoyFilter, pod.Network, Resolve, routes, backends, SubsetHeader);
                Envoys.Add(envoy);
                _owned.Add(envoy);
            }
        }

        if (Chart.Find("Deployment", $"{Chart.Release}-sidecar-gateway") is { } gateway)
        {
            var filter = Chart.OfKind("EnvoyFilter").Single(f => (string?)f["metadata"]!["name"] == $"{Chart.Release}-sidecar-gateway");
            var envoyFilter = EnvoyFilterConfig.Decode(filter);
            for (var replica = 0; replica < (int)gateway["spec"]!["replicas"]!; replica++)
            {
                var pod = Kubelet.StartPod($"{Chart.Release}-sidecar-gateway-5d8f7c9b4-{replica}", Namespace, gateway["spec"]!["template"]!.AsObject());
                SidecarPods.Add(pod);
                _owned.Add(pod);
            }

            // The ingress gateway's pod: only its network namespace, where the Envoy stand-in's connections start.
            var ingress = NetworkNamespace.Create();
            Network.AttachPod(ingress);
            var envoy = new EnvoyStandIn(envoyFilter, ingress, Resolve, routes, backends, SubsetHeader);
            Envoys.Add(envoy);
            _owned.Add(envoy);
            _owned.Add(new DisposableNamespace(ingress));
        }

        foreach (var pod in SidecarPods)
        {
            await pod.Container("canary-sidecar").WaitForOutputAsync(SidecarPorts.ReadyMarker, TimeSpan.FromSeconds(60));
            await Eventually.UntilAsync(() => Task.FromResult(pod.Ready), static ready => ready, $"{pod.Name} Ready");
        }

        if (Chart.Find("CronJob", $"{Chart.Release}-sidecar-analyzer") is { } cronJob)
        {
            CronJob = new CronJobController(cronJob, Kubelet, Objects);
            _owned.Add(CronJob);
        }

        if (Chart.Find("Deployment", $"{Chart.Release}-sidecar-analyzer") is { } analyzer)
        {
            AnalyzerPod = Kubelet.StartPod($"{Chart.Release}-sidecar-analyzer-6c9d8f7b5-0", Namespace, analyzer["spec"]!["template"]!.AsObject());
            _owned.Add(AnalyzerPod);
        }
    }

    private static string ControlTokenSecret => "canary-control-token";

    private static string ControlTokenKey => "token";

    /// <summary>
    /// A workload pod as the chart README says to build one from the snippet ConfigMap: pod-metadata.yaml's labels and
    /// annotations, container.yaml in containers (or initContainers for a native sidecar), volumes.yaml. The
    /// workload's own container is the test, which talks to the Envoy stand-in.
    /// </summary>
    private static JsonObject WorkloadTemplate(JsonObject snippet)
    {
        var data = snippet["data"]!;
        var metadata = YamlJson.ReadNode((string)data["pod-metadata.yaml"]!)!.AsObject();
        var labels = metadata["labels"]!.AsObject();
        labels["app"] = "chat-client";
        var container = YamlJson.ReadNode((string)data["container.yaml"]!)!.AsArray();
        var volumes = YamlJson.ReadNode((string)data["volumes.yaml"]!)!.AsArray();
        var native = container.Single()!["restartPolicy"] is not null;
        return new JsonObject
        {
            ["metadata"] = metadata,
            ["spec"] = new JsonObject
            {
                [native ? "initContainers" : "containers"] = container,
                ["volumes"] = volumes,
            },
        };
    }

    /// <summary>Cluster DNS for a Service name: a headless Service's ready pods, by its selector.</summary>
    public IReadOnlyList<IPAddress> Resolve(string name)
    {
        var parts = name.Split('.');
        var service = Chart.OfKind("Service").Single(s => (string?)s["metadata"]!["name"] == parts[0] && (string?)s["metadata"]!["namespace"] == parts[1]);
        Assert.Equal("None", (string?)service["spec"]!["clusterIP"]);
        var selector = service["spec"]!["selector"]!.AsObject();
        return [.. Objects.Pods
            .Where(p => p.Ready && p.Phase == "Running" && selector.All(l => p.Labels.TryGetValue(l.Key, out var v) && v == (string?)l.Value))
            .Select(p => p.Address)];
    }

    /// <summary>
    /// An operator's analyzer command as it runs in the cluster: <c>kubectl exec</c> into the analyzer Deployment's pod,
    /// or (CronJob kind) a one-off pod from the CronJob's job template with the command as its arguments.
    /// </summary>
    public async Task<AnalyzerRun> AnalyzerAsync(params string[] args)
    {
        AnalyzerRun run;
        if (AnalyzerPod is not null)
        {
            var (code, output, error) = await Kubelet.ExecAsync(AnalyzerPod, "canary-analyzer", ["/app/canary-analyzer", .. args], TimeSpan.FromSeconds(120));
            run = new AnalyzerRun(code, output, error);
        }
        else
        {
            var cronJob = Chart.Single("CronJob");
            var template = cronJob["spec"]!["jobTemplate"]!["spec"]!["template"]!.DeepClone().AsObject();
            template["spec"]!["containers"]![0]!["args"] = new JsonArray([.. args.Select(a => (JsonNode?)JsonValue.Create(a))]);
            var name = $"{Chart.Release}-sidecar-analyzer-manual-{Interlocked.Increment(ref _manual).ToString(CultureInfo.InvariantCulture)}";
            var result = await CronJobController.RunPodAsync(Kubelet, Objects, name, Namespace, template, TimeSpan.FromSeconds(120));
            run = new AnalyzerRun(result.ExitCode, result.Output, result.Error);
        }

        _output.WriteLine($"$ canary-analyzer {string.Join(' ', args)}\n{run.Output}{run.Error}(exit {run.ExitCode})");
        return run;
    }

    private static int _manual;

    private IReadOnlyList<InferenceBackend> _backends = [];

    /// <summary>
    /// A new canary version deployed: the pods labelled version=v2 now serve <paramref name="behavior"/> (the preflight's
    /// chat-v2 Service keeps pointing at the first canary pods; this test does not preflight the second).
    /// </summary>
    public async Task ReplaceCanaryAsync(ModelBehavior behavior)
    {
        var server = await FakeModelServer.StartAsync(behavior, seed: 3, TimeProvider.System);
        _owned.Add(server);
        Volatile.Write(ref _backends, [_backends[0], _backends[1] with { BaseAddress = server.BaseAddress }]);
    }

    private static IPEndPoint Endpoint(Uri uri) => new(IPAddress.Parse(uri.Host), uri.Port);

    public async ValueTask DisposeAsync()
    {
        for (var i = _owned.Count - 1; i >= 0; i--)
        {
            try
            {
                await _owned[i].DisposeAsync();
            }
            catch (Exception e) when (e is InvalidOperationException or IOException or TimeoutException)
            {
                _output.WriteLine($"cleanup: {e.Message}");
            }
        }

        if (Network is not null)
        {
            await Network.DisposeAsync();
        }

        try
        {
            Directory.Delete(_workDirectory, recursive: true);
        }
        catch (IOException e)
        {
            _output.WriteLine($"cleanup of {_workDirectory}: {e.Message}");
        }
    }

    /// <summary>Disposes a network namespace with the rest of the cluster.</summary>
    private sealed class DisposableNamespace(NetworkNamespace network) : IAsyncDisposable
    {
        public ValueTask DisposeAsync()
        {
            network.Dispose();
            return ValueTask.CompletedTask;
        }
    }
}
