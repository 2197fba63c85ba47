namespace Canary.Analyzer.Discovery;

/// <summary>Finds the sidecars that a desired weight table must be pushed to.</summary>
internal interface ISidecarDiscovery
{
    /// <summary>The current sidecar control endpoints, sorted by name; throws when the source cannot be read.</summary>
    Task<IReadOnlyList<SidecarEndpoint>> DiscoverAsync(CancellationToken cancellationToken);
}
