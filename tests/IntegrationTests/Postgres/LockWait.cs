using Npgsql;
using NpgsqlTypes;

namespace Canary.IntegrationTests.Postgres;

/// <summary>
/// Waits until PostgreSQL itself shows a statement blocked on a lock in the data source's database: the signal that a
/// concurrent transaction has reached the point where it can only go on once another one commits or rolls back.
/// </summary>
internal static class LockWait
{
    /// <summary>
    /// Returns once a backend of this database runs a statement starting with <paramref name="statementPrefix"/> and waits
    /// on a lock; fails when <paramref name="blocked"/> finishes first (it never waited) or the lock wait never shows.
    /// </summary>
    public static async Task UntilBlockedAsync(NpgsqlDataSource dataSource, string statementPrefix, Task blocked)
    {
        await Eventually.UntilAsync(
            async () => await WaitingAsync(dataSource, statementPrefix) || blocked.IsCompleted,
            $"a backend waiting on a lock: {statementPrefix}");
        if (!await WaitingAsync(dataSource, statementPrefix) && blocked.IsCompleted)
        {
            // Its own failure says more than ours.
            await blocked;
            Assert.Fail($"finished without waiting on a lock: {statementPrefix}");
        }
    }

    private static async Task<bool> WaitingAsync(NpgsqlDataSource dataSource, string statementPrefix)
    {
        await using var command = dataSource.CreateCommand(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid() " +
            "AND wait_event_type = 'Lock' AND starts_with(query, $1)");
        command.Parameters.Add(new NpgsqlParameter { Value = statementPrefix, NpgsqlDbType = NpgsqlDbType.Text });
        return (long)(await command.ExecuteScalarAsync())! > 0;
    }
}
