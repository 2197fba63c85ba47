namespace Canary.Analyzer.MeshWeights;

/// <summary>Which Istio VirtualService route carries the rollout, and which destination subsets are stable and canary.</summary>
internal sealed record MeshWeightOptions
{
    public required string Namespace { get; init; }

    public required string VirtualService { get; init; }

    /// <summary>Name of the HTTP route to edit; null means the first route that has both subsets.</summary>
    public string? RouteName { get; init; }

    public string StableSubset { get; init; } = "stable";

    public string CanarySubset { get; init; } = "canary";

    /// <summary>Attempts when the VirtualService changes between read and patch (HTTP 409).</summary>
    public int MaxConflictRetries { get; init; } = 3;
}
