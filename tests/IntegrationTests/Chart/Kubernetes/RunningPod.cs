using System.Net;
using System.Text.Json.Nodes;
using Canary.IntegrationTests.Chart.Cluster;

namespace Canary.IntegrationTests.Chart.Kubernetes;

/// <summary>
/// One pod of the test's cluster: its network namespace and pod IP, its labels and rendered spec, and its containers'
/// processes. <see cref="ToApiObject"/> is how the Kubernetes API stand-in lists it.
/// </summary>
internal sealed class RunningPod : IAsyncDisposable
{
    private readonly Dictionary<string, ChildProcess> _containers = new(StringComparer.Ordinal);
    private readonly Dictionary<string, ContainerLaunch> _launches = new(StringComparer.Ordinal);

    public RunningPod(string name, string ns, IReadOnlyDictionary<string, string> labels, JsonObject spec, NetworkNamespace network, IPAddress address, string directory)
    {
        Name = name;
        Namespace = ns;
        Labels = labels;
        Spec = spec;
        Network = network;
        Address = address;
        Directory = directory;
    }

    public string Name { get; }

    public string Namespace { get; }

    public IReadOnlyDictionary<string, string> Labels { get; }

    public JsonObject Spec { get; }

    public NetworkNamespace Network { get; }

    public IPAddress Address { get; }

    public string Directory { get; }

    /// <summary>Running, Succeeded or Failed (a Job's pod after its container exited).</summary>
    public string Phase { get; set; } = "Running";

    /// <summary>The Ready condition: set by the kubelet stand-in from the readiness probe, or at start without one.</summary>
    public bool Ready { get; set; }

    public IReadOnlyDictionary<string, ChildProcess> Containers => _containers;

    public ChildProcess Container(string name) => _containers.TryGetValue(name, out var process)
        ? process
        : throw new KeyNotFoundException($"pod {Name} has no container {name} (has {string.Join(", ", _containers.Keys)})");

    internal void AddContainer(string name, ChildProcess process, ContainerLaunch launch)
    {
        _containers[name] = process;
        _launches[name] = launch;
    }

    /// <summary>How a container was started: what <c>kubectl exec</c> into it needs.</summary>
    public ContainerLaunch Launch(string name) => _launches[name];

    /// <summary>Stops one container (SIGTERM, as the kubelet does), leaving the pod and its other containers.</summary>
    public async Task StopContainerAsync(string name)
    {
        await Container(name).DisposeAsync();
    }

    public JsonObject ToApiObject() => new()
    {
        ["apiVersion"] = "v1",
        ["kind"] = "Pod",
        ["metadata"] = new JsonObject
        {
            ["name"] = Name,
            ["namespace"] = Namespace,
            ["labels"] = new JsonObject([.. Labels.Select(l => KeyValuePair.Create(l.Key, (JsonNode?)JsonValue.Create(l.Value)))]),
        },
        ["spec"] = Spec.DeepClone(),
        ["status"] = new JsonObject
        {
            ["phase"] = Phase,
            ["podIP"] = Address.ToString(),
            ["conditions"] = new JsonArray(new JsonObject { ["type"] = "Ready", ["status"] = Ready && Phase == "Running" ? "True" : "False" }),
        },
    };

    public async ValueTask DisposeAsync()
    {
        foreach (var container in _containers.Values)
        {
            await container.DisposeAsync();
        }

        Network.Dispose();
    }

    public override string ToString() => $"{Namespace}/{Name} ({Address}, {Phase}{(Ready ? ", ready" : string.Empty)})";
}
