using System.Collections.Concurrent;
using System.Text.Json.Nodes;

namespace Canary.IntegrationTests.Chart.Kubernetes;

/// <summary>
/// What the test's cluster holds: the rendered objects, the Secrets and ConfigMaps the user creates before installing
/// (the chart references them and never renders them), the service-account tokens issued to pods, and the pods.
/// </summary>
internal sealed class ClusterObjects
{
    private readonly ConcurrentDictionary<string, RunningPod> _pods = new(StringComparer.Ordinal);

    public ClusterObjects(IReadOnlyList<JsonObject> rendered)
    {
        Rendered = rendered;
    }

    public IReadOnlyList<JsonObject> Rendered { get; }

    /// <summary>Secrets by "namespace/name": key to value.</summary>
    public ConcurrentDictionary<string, IReadOnlyDictionary<string, string>> Secrets { get; } = new(StringComparer.Ordinal);

    /// <summary>Issued service-account tokens: token to "namespace/serviceaccount".</summary>
    public ConcurrentDictionary<string, string> ServiceAccountTokens { get; } = new(StringComparer.Ordinal);

    public IEnumerable<RunningPod> Pods => _pods.Values;

    public void AddPod(RunningPod pod) => _pods[$"{pod.Namespace}/{pod.Name}"] = pod;

    public void RemovePod(RunningPod pod) => _pods.TryRemove($"{pod.Namespace}/{pod.Name}", out _);

    /// <summary>ConfigMap data: a rendered ConfigMap of that name and namespace.</summary>
    public IReadOnlyDictionary<string, string> ConfigMap(string ns, string name)
    {
        var map = Rendered.SingleOrDefault(o => (string?)o["kind"] == "ConfigMap" && (string?)o["metadata"]!["name"] == name && (string?)o["metadata"]!["namespace"] == ns)
            ?? throw new InvalidOperationException($"ConfigMap {ns}/{name} is neither rendered nor created by the user: the pod would stay in ContainerCreating");
        return map["data"]!.AsObject().ToDictionary(p => p.Key, p => (string)p.Value!, StringComparer.Ordinal);
    }

    public IReadOnlyDictionary<string, string> Secret(string ns, string name) =>
        Secrets.TryGetValue($"{ns}/{name}", out var data)
            ? data
            : throw new InvalidOperationException($"Secret {ns}/{name} does not exist: the pod would stay in ContainerCreating");

    /// <summary>Rendered objects of <paramref name="kind"/> in <paramref name="ns"/>.</summary>
    public IEnumerable<JsonObject> OfKind(string kind, string ns) =>
        Rendered.Where(o => (string?)o["kind"] == kind && (string?)o["metadata"]!["namespace"] == ns);
}
