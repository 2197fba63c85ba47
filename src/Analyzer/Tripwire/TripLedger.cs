using Npgsql;
using NpgsqlTypes;

namespace Canary.Analyzer.Tripwire;

/// <summary>
/// The trips already recorded (<c>rollout_tripwire_trips</c>): a trip is claimed in the transaction that writes its
/// decision record, so however many runs or analyzers see it while its sidecar still reports it, it is recorded once.
/// </summary>
internal static class TripLedger
{
    /// <summary>Claims <paramref name="trip"/>; false when it was recorded before (or is being recorded by a transaction that commits first).</summary>
    public static async Task<bool> ClaimAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, ObservedTrip trip, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(
            """
            INSERT INTO rollout_tripwire_trips (rollout, sidecar_id, tripped_at, endpoint, generation, canary_failures, canary_requests,
                stable_failures, stable_requests, reason, recorded_at)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
            ON CONFLICT DO NOTHING
            """,
            connection,
            transaction);
        AddParameters(command, trip);
        command.Parameters.Add(new NpgsqlParameter { Value = now.UtcDateTime, NpgsqlDbType = NpgsqlDbType.TimestampTz });
        return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 1;
    }

    /// <summary>Whether <paramref name="trip"/> was recorded before (a dry run asks instead of claiming).</summary>
    public static async Task<bool> IsRecordedAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, ObservedTrip trip, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(
            "SELECT 1 FROM rollout_tripwire_trips WHERE rollout = $1 AND sidecar_id = $2 AND tripped_at = $3", connection, transaction);
        command.Parameters.Add(Text(trip.RouteKey));
        command.Parameters.Add(Text(trip.SidecarId));
        command.Parameters.Add(new NpgsqlParameter { Value = trip.TrippedAt.UtcDateTime, NpgsqlDbType = NpgsqlDbType.TimestampTz });
        return await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is not null;
    }

    private static void AddParameters(NpgsqlCommand command, ObservedTrip trip)
    {
        command.Parameters.Add(Text(trip.RouteKey));
        command.Parameters.Add(Text(trip.SidecarId));
        command.Parameters.Add(new NpgsqlParameter { Value = trip.TrippedAt.UtcDateTime, NpgsqlDbType = NpgsqlDbType.TimestampTz });
        command.Parameters.Add(Text($"{trip.Sidecar.Address}:{trip.Sidecar.Port}"));
        command.Parameters.Add(new NpgsqlParameter { Value = trip.Generation, NpgsqlDbType = NpgsqlDbType.Bigint });
        command.Parameters.Add(Integer(trip.CanaryFailures));
        command.Parameters.Add(Integer(trip.CanaryRequests));
        command.Parameters.Add(Integer(trip.StableFailures));
        command.Parameters.Add(Integer(trip.StableRequests));
        command.Parameters.Add(Text(trip.Reason));
    }

    private static NpgsqlParameter Text(string value) => new() { Value = value, NpgsqlDbType = NpgsqlDbType.Text };

    private static NpgsqlParameter Integer(int value) => new() { Value = value, NpgsqlDbType = NpgsqlDbType.Integer };
}
