using System.Diagnostics.CodeAnalysis;
using Canary.Analyzer.Discovery;
using Canary.Contracts.Tripwire;

namespace Canary.Analyzer.Tripwire;

/// <summary>
/// One tripwire trip as a sidecar reported it through its control API (<c>GetTable</c>): which sidecar, which rollout,
/// when, the window's evidence (canary and stable failures of their last requests), the generation of the table it
/// rolled back, whether a newer table confirmed it, and the canary subset and salt of the rollout it tripped on (which
/// tell that rollout apart from a later one on the same route).
/// </summary>
internal sealed record ObservedTrip : TripRecord
{
    /// <summary>The trip <paramref name="reported"/> as <paramref name="sidecar"/> (id <paramref name="sidecarId"/>) reported it.</summary>
    [SetsRequiredMembers]
    public ObservedTrip(TripRecord reported, SidecarEndpoint sidecar, string sidecarId)
        : base(reported)
    {
        Sidecar = sidecar;
        SidecarId = sidecarId;
    }

    public SidecarEndpoint Sidecar { get; init; }

    /// <summary>The sidecar's own id (<c>Canary:SidecarId</c>, by default its host name), or the endpoint's name when it sent none.</summary>
    public string SidecarId { get; init; }

    /// <summary>The tripped rollout's canary subset in the sidecar's table; null when the table does not name the rollout.</summary>
    public string? CanarySubset { get; init; }

    /// <summary>The tripped rollout's salt in the sidecar's table.</summary>
    public string? Salt { get; init; }

    /// <summary>Whether this trip is of the rollout <paramref name="definition"/> describes, not of an earlier one on the same route.</summary>
    public bool IsOf(Canary.Contracts.Rollouts.RolloutDefinition definition)
    {
        ArgumentNullException.ThrowIfNull(definition);
        return definition.RouteKey == RouteKey && definition.CanarySubset == CanarySubset && definition.Salt == Salt;
    }
}
