using System.Globalization;
using System.Text.Json;
using Canary.Analyzer.Rollouts;
using Canary.Contracts.Rollouts;
using Npgsql;

namespace Canary.Analyzer.Tripwire;

/// <summary>
/// Turns the trips the sidecars report into the analyzer's own record, inside the caller's transaction: each trip of
/// a rollout the analyzer runs becomes a decision (verdict rollback, its sidecar and evidence in the reason), the first
/// one rolls the rollout back in the desired table and in its lifecycle (which, pushed, confirms the trip on every
/// sidecar), and later trips of a rollout already rolled back are recorded as <c>tripwire</c> without changing anything.
/// Trips of rollouts the analyzer does not run (no lifecycle row, not in the table, or an earlier rollout on the same
/// route) are left alone.
/// </summary>
internal static class TripRecorder
{
    public const string RollbackAction = "rollback";

    /// <summary>The action of a trip recorded on a rollout that was rolled back already: evidence, no change.</summary>
    public const string TripAction = "tripwire";

    /// <param name="connection">The caller's connection.</param>
    /// <param name="transaction">The caller's transaction, holding the lifecycle rows' locks.</param>
    /// <param name="table">The desired table as it stands in this transaction.</param>
    /// <param name="progress">Every lifecycle row, as read in this transaction.</param>
    /// <param name="trips">What the sidecars reported.</param>
    /// <param name="now">The decision time.</param>
    /// <param name="dryRun">Record nothing as seen; the records are marked dry-run and the caller writes no table.</param>
    /// <param name="cancellationToken">Cancels the claims.</param>
    public static async Task<TripStep> ApplyAsync(
        NpgsqlConnection connection,
        NpgsqlTransaction transaction,
        RolloutTable table,
        IReadOnlyList<RolloutProgress> progress,
        IReadOnlyList<ObservedTrip> trips,
        DateTimeOffset now,
        bool dryRun,
        CancellationToken cancellationToken)
    {
        var records = new List<DecisionRecord>();
        var updates = new Dictionary<string, RolloutProgress>(StringComparer.Ordinal);
        var ordered = new List<ObservedTrip>(trips);
        ordered.Sort(static (a, b) => a.TrippedAt != b.TrippedAt ? a.TrippedAt.CompareTo(b.TrippedAt) : string.CompareOrdinal(a.SidecarId, b.SidecarId));
        foreach (var trip in ordered)
        {
            var rollout = updates.GetValueOrDefault(trip.RouteKey) ?? progress.FirstOrDefault(p => p.Rollout == trip.RouteKey);
            var definition = table.Find(trip.RouteKey);
            if (rollout is null || definition is null || !trip.IsOf(definition))
            {
                continue;
            }

            var isNew = dryRun
                ? !await TripLedger.IsRecordedAsync(connection, transaction, trip, cancellationToken).ConfigureAwait(false)
                : await TripLedger.ClaimAsync(connection, transaction, trip, now, cancellationToken).ConfigureAwait(false);
            if (definition.State != RolloutState.RolledBack)
            {
                // Rolled back here even for a trip recorded before: a table that keeps this rollout running must not be
                // pushed over the trip.
                var from = rollout.CurrentWeightBasisPoints;
                table = TableEdits.With(table, trip.RouteKey, d => d with { CanaryWeightBasisPoints = 0, State = RolloutState.RolledBack });
                var rolledBack = rollout with { Status = RolloutStatus.RolledBack, HoldSince = null };
                updates[trip.RouteKey] = rolledBack;
                records.Add(Record(trip, rolledBack, RollbackAction, from, table.Generation, Reason(trip, others: OthersOf(trip, ordered)), now, dryRun));
            }
            else if (isNew)
            {
                records.Add(Record(trip, rollout, TripAction, 0, null, Reason(trip, others: null) + " The rollout was rolled back already.", now, dryRun));
            }
        }

        return new TripStep(table, records, [.. updates.Values]);
    }

    /// <summary>The decision's sentence: whose tripwire, when, on what evidence.</summary>
    internal static string Reason(ObservedTrip trip, IReadOnlyList<string>? others)
    {
        var also = others is { Count: > 0 } ? $" It tripped on {string.Join(", ", others)} too." : "";
        return string.Create(
            CultureInfo.InvariantCulture,
            $"Rolled back by the tripwire of sidecar {trip.SidecarId} ({trip.Sidecar.Address}:{trip.Sidecar.Port}) at {trip.TrippedAt:yyyy-MM-dd HH:mm:ss} UTC: in its window the canary failed {trip.CanaryFailures} of its last {trip.CanaryRequests} requests ({Rate(trip.CanaryFailures, trip.CanaryRequests)}), stable {trip.StableFailures} of {trip.StableRequests} ({Rate(trip.StableFailures, trip.StableRequests)}); table generation {trip.Generation}.{also}");
    }

    internal static string Evidence(ObservedTrip trip) => JsonSerializer.Serialize(
        new TripRecordJson(new TripEvidenceJson(
            trip.Sidecar.Name,
            trip.SidecarId,
            $"{trip.Sidecar.Address}:{trip.Sidecar.Port}",
            trip.TrippedAt.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture),
            trip.Generation,
            trip.CanaryFailures,
            trip.CanaryRequests,
            trip.StableFailures,
            trip.StableRequests,
            trip.Confirmed,
            trip.Reason)),
        TripwireJsonContext.Default.TripRecordJson);

    private static DecisionRecord Record(ObservedTrip trip, RolloutProgress rollout, string action, int from, long? generation, string reason, DateTimeOffset now, bool dryRun) => new(
        trip.RouteKey, now, "rollback", action, reason, rollout.StageIndex, from, 0, dryRun ? null : generation,
        trip.TrippedAt, trip.TrippedAt, trip.CanaryRequests, trip.StableRequests, Evidence(trip), dryRun);

    /// <summary>The other sidecars that tripped on the same rollout, named in the rollback's reason (and so in its alert).</summary>
    private static List<string> OthersOf(ObservedTrip trip, List<ObservedTrip> all)
    {
        var others = new List<string>();
        foreach (var other in all)
        {
            if (other.RouteKey == trip.RouteKey && other.SidecarId != trip.SidecarId && other.Salt == trip.Salt && other.CanarySubset == trip.CanarySubset && !others.Contains(other.SidecarId))
            {
                others.Add(other.SidecarId);
            }
        }

        return others;
    }

    private static string Rate(int events, int trials) => trials == 0
        ? "no requests"
        : string.Create(CultureInfo.InvariantCulture, $"{events * 100.0 / trials:0.#} %");
}
