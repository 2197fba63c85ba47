namespace Canary.Analyzer.Discovery;

/// <summary>Which pods are sidecars and on which port their control API listens.</summary>
internal sealed record KubernetesDiscoveryOptions
{
    public const int DefaultControlPort = 50052;

    /// <summary>Namespaces to list; at least one.</summary>
    public IReadOnlyList<string> Namespaces { get; init; } = ["default"];

    public const string DefaultLabelSelector = "app.kubernetes.io/name=canary-sidecar";

    /// <summary>
    /// Label selectors of the pods that carry a sidecar, e.g. <c>canary.dev/sidecar=true</c>; a pod matching any of
    /// them is a sidecar (the chart gives one for sidecar-mode workloads and one for the gateway pods).
    /// </summary>
    public IReadOnlyList<string> LabelSelectors { get; init; } = [DefaultLabelSelector];

    /// <summary>Control port used when no container declares a port named <see cref="ControlPortName"/>.</summary>
    public int ControlPort { get; init; } = DefaultControlPort;

    /// <summary>Name of the container port that, when present, overrides <see cref="ControlPort"/>.</summary>
    public string ControlPortName { get; init; } = "canary-control";

    /// <summary>
    /// Also return Running pods that are not Ready. Off by default: such a pod receives no Service traffic, reads the
    /// desired table from PostgreSQL when its sidecar starts, and would otherwise make every push look partial.
    /// </summary>
    public bool IncludeNotReady { get; init; }
}
