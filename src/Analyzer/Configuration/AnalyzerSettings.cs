using Canary.Analyzer.Alerts;
using Canary.Analyzer.Discovery;
using Canary.Contracts.Pricing;

namespace Canary.Analyzer.Configuration;

/// <summary>
/// Everything the analyzer's commands read from configuration, read and checked once at start by
/// <see cref="AnalyzerSettingsReader"/>: typed, with files (token, price table) already loaded.
/// </summary>
internal sealed record AnalyzerSettings
{
    /// <summary>PostgreSQL; null when none is configured (only some commands need one).</summary>
    public string? DatabaseConnectionString { get; init; }

    /// <summary>A fixed sidecar list (<c>--sidecars</c> or <c>CANARY_SIDECARS</c>); it wins over Kubernetes discovery.</summary>
    public StaticSidecarDiscovery? StaticSidecars { get; init; }

    /// <summary>Sidecar pods to find through the Kubernetes API; null without <c>Canary:Discovery:Namespace</c>.</summary>
    public KubernetesDiscoveryOptions? KubernetesDiscovery { get; init; }

    /// <summary>Bearer token of the sidecars' control API; null: pushes carry none and sidecars refuse them.</summary>
    public string? ControlToken { get; init; }

    public AlertSettings Alerts { get; init; } = new();

    /// <summary>Current prices to re-price cost with; null: the cost the sidecars recorded.</summary>
    public PriceTable? Prices { get; init; }

    /// <summary>
    /// Mesh-weight mode: the VirtualServices whose weights follow the desired table after each run
    /// (<c>Canary:MeshWeights:Enabled</c> and <c>Canary:MeshWeights:VirtualServices:N</c>); null when the mode is off.
    /// </summary>
    public IReadOnlyList<MeshWeights.VirtualServiceRef>? MeshWeightServices { get; init; }

    /// <summary>Bearer token for <c>--kube-server</c> (<c>CANARY_KUBE_TOKEN</c>).</summary>
    public string? KubernetesToken { get; init; }

    /// <summary>API key of the model endpoints a preflight calls when no key file is given (<c>CANARY_PREFLIGHT_API_KEY</c>).</summary>
    public string? PreflightApiKey { get; init; }

    /// <summary>Judging of quality samples (<c>Canary:Judge</c>); null when no judge is configured.</summary>
    public Quality.JudgeOptions? Judge { get; init; }

    /// <summary>Who runs the command (<c>USER</c>), recorded when a preflight is skipped without <c>--skipped-by</c>.</summary>
    public string? User { get; init; }
}
