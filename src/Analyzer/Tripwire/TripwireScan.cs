namespace Canary.Analyzer.Tripwire;

/// <summary>
/// What a run read of the sidecars' tables before deciding: every sidecar's answer (or failure), or why the sidecars
/// could not be listed at all. A failure here never stops a run: the decisions stand, and a trip not read now is read
/// by the next run, and a push would still be withheld from a sidecar holding it.
/// </summary>
internal sealed record TripwireScan(IReadOnlyList<SidecarTableRead> Reads, string? DiscoveryError)
{
    public static readonly TripwireScan None = new([], null);

    public IReadOnlyList<ObservedTrip> Trips => [.. Reads.SelectMany(r => r.Trips)];

    public IEnumerable<SidecarTableRead> Failures => Reads.Where(r => !r.Succeeded);
}
