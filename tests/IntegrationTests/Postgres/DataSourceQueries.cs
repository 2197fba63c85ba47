using Npgsql;

namespace Canary.IntegrationTests.Postgres;

/// <summary>The small reads tests make of what the analyzer stored.</summary>
internal static class DataSourceQueries
{
    /// <summary>The first column of the first row of <paramref name="sql"/>.</summary>
    public static async Task<T> ScalarAsync<T>(this NpgsqlDataSource dataSource, string sql)
    {
        await using var command = dataSource.CreateCommand(sql);
        return (T)(await command.ExecuteScalarAsync())!;
    }

    /// <summary>Every decision's action, newest first.</summary>
    public static async Task<List<string>> DecisionActionsAsync(this NpgsqlDataSource dataSource)
    {
        var actions = new List<string>();
        await using var command = dataSource.CreateCommand("SELECT action FROM rollout_decisions ORDER BY id DESC");
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            actions.Add(reader.GetString(0));
        }

        return actions;
    }
}
