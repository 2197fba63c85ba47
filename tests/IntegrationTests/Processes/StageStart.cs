using Npgsql;
using NpgsqlTypes;

namespace Canary.IntegrationTests.Processes;

/// <summary>
/// Ages a rollout's current stage in PostgreSQL, the row every analyzer run reads its stage start from, so a test
/// stands where a run would be after a wait without waiting for the clock.
/// </summary>
internal static class StageStart
{
    /// <summary>Moves the stage start of <paramref name="rollout"/> <paramref name="by"/> into the past; returns the new start (UTC).</summary>
    public static async Task<DateTime> MoveBackAsync(NpgsqlDataSource dataSource, string rollout, TimeSpan by)
    {
        await using var command = dataSource.CreateCommand(
            "UPDATE rollout_progress SET stage_started_at = stage_started_at - $2 WHERE rollout = $1 RETURNING stage_started_at");
        command.Parameters.Add(new NpgsqlParameter { Value = rollout, NpgsqlDbType = NpgsqlDbType.Text });
        command.Parameters.Add(new NpgsqlParameter { Value = by, NpgsqlDbType = NpgsqlDbType.Interval });
        return await command.ExecuteScalarAsync() is DateTime start
            ? start
            : throw new InvalidOperationException($"rollout {rollout} has no progress row to move");
    }
}
