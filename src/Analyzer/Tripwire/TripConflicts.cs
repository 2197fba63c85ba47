using Canary.Contracts.Rollouts;

namespace Canary.Analyzer.Tripwire;

/// <summary>
/// The trips a table would silently undo on a sidecar: unconfirmed trips of a rollout that the table keeps running
/// (same route, canary subset and salt, not rolled back). A sidecar applies any newer table, and one that re-activates
/// a tripped rollout ends the trip; so such a table must not be pushed there before the trip is recorded and the
/// rollout rolled back. A table that rolls the rollout back confirms the trip, and one that starts another rollout on
/// the route (another salt or canary) replaces it; neither is a conflict.
/// </summary>
internal static class TripConflicts
{
    public static List<ObservedTrip> Find(RolloutTable table, IReadOnlyList<ObservedTrip> trips)
    {
        ArgumentNullException.ThrowIfNull(table);
        ArgumentNullException.ThrowIfNull(trips);
        var conflicts = new List<ObservedTrip>();
        foreach (var trip in trips)
        {
            if (!trip.Confirmed && table.Find(trip.RouteKey) is { State: not RolloutState.RolledBack } definition && trip.IsOf(definition))
            {
                conflicts.Add(trip);
            }
        }

        return conflicts;
    }
}
