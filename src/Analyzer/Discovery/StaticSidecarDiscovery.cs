namespace Canary.Analyzer.Discovery;

/// <summary>A fixed endpoint list from configuration, for setups outside Kubernetes.</summary>
internal sealed class StaticSidecarDiscovery : ISidecarDiscovery
{
    private readonly SidecarEndpoint[] _endpoints;

    public StaticSidecarDiscovery(IEnumerable<SidecarEndpoint> endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        _endpoints = [.. endpoints];
        Array.Sort(_endpoints, static (a, b) => string.CompareOrdinal(a.Name, b.Name));
        for (var i = 1; i < _endpoints.Length; i++)
        {
            if (_endpoints[i].Name == _endpoints[i - 1].Name)
            {
                throw new ArgumentException($"Static sidecar list: the name '{_endpoints[i].Name}' appears twice.", nameof(endpoints));
            }
        }
    }

    /// <summary>Parses entries of the form <c>name=host:port</c> or <c>host:port</c> (IPv6 as <c>[::1]:port</c>).</summary>
    public static StaticSidecarDiscovery Parse(IEnumerable<string> entries)
    {
        ArgumentNullException.ThrowIfNull(entries);
        var endpoints = new List<SidecarEndpoint>();
        foreach (var entry in entries)
        {
            endpoints.Add(StaticEndpointParser.Parse(entry));
        }

        return new StaticSidecarDiscovery(endpoints);
    }

    public Task<IReadOnlyList<SidecarEndpoint>> DiscoverAsync(CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<SidecarEndpoint>>(_endpoints);
}
