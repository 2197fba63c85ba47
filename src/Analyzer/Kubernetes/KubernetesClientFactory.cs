using k8s;

namespace Canary.Analyzer.Kubernetes;

/// <summary>Builds the KubernetesClient from <see cref="KubernetesConnectionOptions"/>.</summary>
internal static class KubernetesClientFactory
{
    public static IKubernetes Create(KubernetesConnectionOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        KubernetesClientConfiguration config;
        if (options.Host is not null)
        {
            config = new KubernetesClientConfiguration
            {
                Host = options.Host.ToString(),
                AccessToken = options.AccessToken,
            };
        }
        else if (options.KubeconfigPath is null && KubernetesClientConfiguration.IsInCluster())
        {
            config = KubernetesClientConfiguration.InClusterConfig();
        }
        else
        {
            config = KubernetesClientConfiguration.BuildConfigFromConfigFile(options.KubeconfigPath);
        }

        config.HttpClientTimeout = options.Timeout;
        return new k8s.Kubernetes(config);
    }
}
