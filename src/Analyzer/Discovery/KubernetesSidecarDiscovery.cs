using Canary.Analyzer.Kubernetes;
using k8s;
using k8s.Models;

namespace Canary.Analyzer.Discovery;

/// <summary>
/// Lists sidecar pods by label selector in each configured namespace, once per selector; a pod that several selectors
/// match is listed once. Only Running pods with an IP that are not being deleted are returned, and not-Ready pods only
/// when <see cref="KubernetesDiscoveryOptions.IncludeNotReady"/>. Any API failure throws
/// <see cref="KubernetesApiException"/>; a partial list is never returned.
/// </summary>
internal sealed class KubernetesSidecarDiscovery : ISidecarDiscovery
{
    private readonly IKubernetes _client;
    private readonly KubernetesDiscoveryOptions _options;

    public KubernetesSidecarDiscovery(IKubernetes client, KubernetesDiscoveryOptions options)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(options);
        if (options.Namespaces.Count == 0)
        {
            throw new ArgumentException("Kubernetes discovery needs at least one namespace.", nameof(options));
        }

        if (options.LabelSelectors.Count == 0)
        {
            throw new ArgumentException("Kubernetes discovery needs at least one label selector.", nameof(options));
        }

        if (options.ControlPort is < 1 or > 65535)
        {
            throw new ArgumentException($"Control port {options.ControlPort} is outside 1..65535.", nameof(options));
        }

        _client = client;
        _options = options;
    }

    public async Task<IReadOnlyList<SidecarEndpoint>> DiscoverAsync(CancellationToken cancellationToken)
    {
        var endpoints = new List<SidecarEndpoint>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var ns in _options.Namespaces)
        {
            foreach (var selector in _options.LabelSelectors)
            {
                var pods = await KubernetesCall.RunAsync(
                    $"listing pods in namespace '{ns}' with selector '{selector}'",
                    ct => _client.CoreV1.ListNamespacedPodAsync(ns, labelSelector: selector, cancellationToken: ct),
                    cancellationToken).ConfigureAwait(false);
                if (pods?.Items is null)
                {
                    throw new KubernetesApiException(
                        KubernetesApiFailure.InvalidResponse,
                        $"Kubernetes API: listing pods in namespace '{ns}' returned no item list");
                }

                foreach (var pod in pods.Items)
                {
                    var name = $"{pod.Metadata?.NamespaceProperty ?? ns}/{pod.Metadata?.Name}";
                    if (IsCandidate(pod) && seen.Add(name))
                    {
                        endpoints.Add(new SidecarEndpoint(name, pod.Status.PodIP, ControlPortOf(pod)));
                    }
                }
            }
        }

        endpoints.Sort(static (a, b) => string.CompareOrdinal(a.Name, b.Name));
        return endpoints;
    }

    private bool IsCandidate(V1Pod pod)
    {
        if (pod.Metadata?.Name is null || pod.Metadata.DeletionTimestamp is not null)
        {
            return false;
        }

        if (pod.Status is null || pod.Status.Phase != "Running" || string.IsNullOrEmpty(pod.Status.PodIP))
        {
            return false;
        }

        return _options.IncludeNotReady || IsReady(pod.Status);
    }

    private static bool IsReady(V1PodStatus status)
    {
        if (status.Conditions is null)
        {
            return false;
        }

        foreach (var condition in status.Conditions)
        {
            if (condition.Type == "Ready")
            {
                return condition.Status == "True";
            }
        }

        return false;
    }

    private int ControlPortOf(V1Pod pod)
    {
        var containers = pod.Spec?.Containers;
        if (containers is not null)
        {
            foreach (var container in containers)
            {
                if (container.Ports is null)
                {
                    continue;
                }

                foreach (var port in container.Ports)
                {
                    if (port.Name == _options.ControlPortName)
                    {
                        return port.ContainerPort;
                    }
                }
            }
        }

        return _options.ControlPort;
    }
}
