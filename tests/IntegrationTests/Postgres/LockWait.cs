using Npgsql;
using NpgsqlTypes;

namespace Canary.IntegrationTests.Postgres;

/// <summary>
/// Waits until PostgreSQL itself shows a statement blocked on a lock in the data source's database: the signal that a
/// concurrent transaction has reached the point where it can only go on once another one commits or rolls back.
/// </summary>
internal static class LockWait
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    /// <summary>
    /// Returns once a backend of this database runs a statement starting with <paramref name="statementPrefix"/> and waits
    /// on a lock; fails when <paramref name="blocked"/> finishes first (it never waited) or the lock wait never shows.
    /// </summary>
    public static async Task UntilBlockedAsync(NpgsqlDataSource dataSource, string statementPrefix, Task blocked)
    {
        var deadline = DateTime.UtcNow + Timeout;
        while (true)
        {
            await using (var command = dataSource.CreateCommand(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid() " +
                "AND wait_event_type = 'Lock' AND starts_with(query, $1)"))
            {
                command.Parameters.Add(new NpgsqlParameter { Value = statementPrefix, NpgsqlDbType = NpgsqlDbType.Text });
                if ((long)(await command.ExecuteScalarAsync())! > 0)
                {
                    return;
                }
            }

            if (blocked.IsCompleted)
            {
                // Its own failure says more than ours.
                await blocked;
                Assert.Fail($"finished without waiting on a lock: {statementPrefix}");
            }

            Assert.True(DateTime.UtcNow < deadline, $"no backend waited on a lock within {Timeout.TotalSeconds:0} s: {statementPrefix}");
            await Task.Delay(10);
        }
    }
}
