namespace Canary.Analyzer.Kubernetes;

/// <summary>How the analyzer reaches the Kubernetes API.</summary>
internal sealed record KubernetesConnectionOptions
{
    /// <summary>API server URL; when null, the in-cluster service account or the kubeconfig is used.</summary>
    public Uri? Host { get; init; }

    /// <summary>Path of a kubeconfig file; null means the default location ($KUBECONFIG or ~/.kube/config).</summary>
    public string? KubeconfigPath { get; init; }

    /// <summary>Bearer token used with <see cref="Host"/>.</summary>
    public string? AccessToken { get; init; }

    /// <summary>Per-request timeout; a CronJob must never hang on a slow API server.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(10);
}
