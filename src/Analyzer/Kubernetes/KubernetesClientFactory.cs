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
            // The client library reads only ~/.kube/config by default; $KUBECONFIG (its first file) is what kubectl reads.
            var path = options.KubeconfigPath
                ?? Environment.GetEnvironmentVariable("KUBECONFIG")?.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries).FirstOrDefault();
            config = KubernetesClientConfiguration.BuildConfigFromConfigFile(path);
        }

        config.HttpClientTimeout = options.Timeout;
        return new k8s.Kubernetes(config);
    }
}
