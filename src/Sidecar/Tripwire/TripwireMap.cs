using Canary.Sidecar.Model;

namespace Canary.Sidecar.Tripwire;

/// <summary>
/// Immutable lookup from the routes of one snapshot to their <see cref="RolloutTripwire"/>: by position for routes of
/// that snapshot (the usual case), by route key for exchanges that began under an earlier snapshot.
/// </summary>
internal sealed class TripwireMap
{
    public static readonly TripwireMap Empty = new(null, [], [], new Dictionary<string, RolloutTripwire>(StringComparer.Ordinal));

    public TripwireMap(RolloutTableModel? snapshot, RolloutModel[] routes, RolloutTripwire[] byIndex, Dictionary<string, RolloutTripwire> byKey)
    {
        Snapshot = snapshot;
        Routes = routes;
        ByIndex = byIndex;
        ByKey = byKey;
    }

    public RolloutTableModel? Snapshot { get; }

    public RolloutModel[] Routes { get; }

    public RolloutTripwire[] ByIndex { get; }

    public Dictionary<string, RolloutTripwire> ByKey { get; }

    public RolloutTripwire? Find(RolloutModel route)
    {
        var index = route.Index;
        if ((uint)index < (uint)Routes.Length && ReferenceEquals(Routes[index], route))
        {
            return ByIndex[index];
        }

        return ByKey.GetValueOrDefault(route.Definition.RouteKey);
    }
}
