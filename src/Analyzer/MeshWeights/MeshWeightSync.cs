using Canary.Analyzer.Kubernetes;
using Canary.Contracts.Rollouts;
using k8s;

namespace Canary.Analyzer.MeshWeights;

/// <summary>
/// Mesh-weight mode's automatic part: after a run (or a manual action) the configured VirtualServices' weights follow
/// the desired table. A VirtualService follows the rollout whose route key is one of its <c>spec.hosts</c>; its route
/// that sends to both of that rollout's subsets gets the rollout's canary weight (0 when rolled back) and stable the
/// rest. Each VirtualService is read every time and patched only when its weights differ, so a failed patch, or a
/// <c>helm upgrade</c> that reset the weights, is made good by the next run. Nothing here throws: every failure is a
/// result for the caller to report, and the decision that changed the weight stands.
/// </summary>
internal sealed class MeshWeightSync
{
    private readonly Lazy<IKubernetes> _client;
    private readonly IReadOnlyList<VirtualServiceRef> _services;

    /// <param name="client">Builds the API client when first needed: a missing kubeconfig is then a failed sync, reported like any.</param>
    /// <param name="services">The VirtualServices to keep in step.</param>
    public MeshWeightSync(Func<IKubernetes> client, IReadOnlyList<VirtualServiceRef> services)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(services);
        _client = new Lazy<IKubernetes>(client);
        _services = services;
    }

    public async Task<IReadOnlyList<MeshWeightResult>> SyncAsync(RolloutTable table, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(table);
        var results = new MeshWeightResult[_services.Count];
        for (var i = 0; i < _services.Count; i++)
        {
            results[i] = await SyncOneAsync(_services[i], table, cancellationToken).ConfigureAwait(false);
        }

        return results;
    }

    /// <summary>Istio weights are whole percent: a canary that has any weight keeps at least 1 %.</summary>
    internal static int Percent(RolloutDefinition rollout)
    {
        var basisPoints = rollout.EffectiveWeightBasisPoints;
        return basisPoints == 0 ? 0 : Math.Clamp((int)Math.Round(basisPoints / 100.0, MidpointRounding.AwayFromZero), 1, 100);
    }

    /// <summary>Whether <paramref name="routeKey"/> (a host, perhaps with a port, or another header value) names <paramref name="host"/>.</summary>
    internal static bool Names(string routeKey, string host)
    {
        if (string.Equals(routeKey, host, StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }

        var colon = routeKey.LastIndexOf(':');
        return colon > 0 && routeKey.IndexOf(']', colon) < 0 && string.Equals(routeKey[..colon], host, StringComparison.OrdinalIgnoreCase);
    }

    private async Task<MeshWeightResult> SyncOneAsync(VirtualServiceRef service, RolloutTable table, CancellationToken cancellationToken)
    {
        string? rolloutName = null;
        int? before = null;
        int? after = null;
        try
        {
            var basis = new MeshWeightOptions { Namespace = service.Namespace, VirtualService = service.Name };
            var read = await new VirtualServiceWeightPublisher(_client.Value, basis).ReadAsync(cancellationToken).ConfigureAwait(false);
            var hosts = VirtualServiceWeightEditor.Hosts(read);
            var followed = table.Rollouts.Where(r => hosts.Exists(h => Names(r.RouteKey, h))).ToList();
            switch (followed.Count)
            {
                case 0:
                    // No rollout on its hosts: the VirtualService is left as it is.
                    return new MeshWeightResult(service, null, null, null, Patched: false, null);
                case > 1:
                    return new MeshWeightResult(service, null, null, null, Patched: false,
                        $"its hosts name {followed.Count} rollouts ({string.Join(", ", followed.Select(r => r.RouteKey))}); a VirtualService follows one");
            }

            var rollout = followed[0];
            rolloutName = rollout.RouteKey;
            var options = basis with { StableSubset = rollout.StableSubset, CanarySubset = rollout.CanarySubset };
            before = VirtualServiceWeightEditor.CurrentWeights(read, options)?.Canary;
            after = Percent(rollout);
            var patched = await new VirtualServiceWeightPublisher(_client.Value, options)
                .EnsureCanaryWeightAsync(after.Value, read, onlyIfDifferent: true, cancellationToken).ConfigureAwait(false);
            return new MeshWeightResult(service, rolloutName, before, after, patched, null);
        }
        catch (Exception e) when (e is KubernetesApiException or MeshWeightException or k8s.Exceptions.KubeConfigException)
        {
            return new MeshWeightResult(service, rolloutName, before, after, Patched: false, e.Message);
        }
    }
}
