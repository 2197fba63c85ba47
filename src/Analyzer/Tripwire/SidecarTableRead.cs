using Canary.Analyzer.Discovery;

namespace Canary.Analyzer.Tripwire;

/// <summary>
/// What one sidecar's <c>GetTable</c> answered: the generation and source of the table in force and its tripwire's
/// trips; or, when the call failed, why (<see cref="Error"/>), and nothing else.
/// </summary>
internal sealed record SidecarTableRead(SidecarEndpoint Sidecar, long Generation, string Source, IReadOnlyList<ObservedTrip> Trips, string? Error)
{
    public static SidecarTableRead Failed(SidecarEndpoint sidecar, string error) => new(sidecar, 0, "unknown", [], error);

    public bool Succeeded => Error is null;
}
