using Npgsql;
using NpgsqlTypes;

namespace Canary.Contracts.Rollouts;

/// <summary>
/// Reads and writes the desired rollout table in PostgreSQL (<c>canary_desired_table</c>, one row). The analyzer
/// writes; sidecars read at start and on every poll, so a sidecar that missed a push converges on its own.
/// </summary>
public static class DesiredTableStore
{
    private const string UndefinedTable = "42P01";

    private const string SelectSql = "SELECT generation, table_json::text, updated_at FROM canary_desired_table WHERE id = 1";

    // The WHERE clause makes the write monotone even between concurrent analyzers: an older or equal generation
    // changes nothing and reports zero rows.
    private const string UpsertSql = """
        INSERT INTO canary_desired_table (id, generation, table_json, updated_at)
        VALUES (1, $1, $2::jsonb, now())
        ON CONFLICT (id) DO UPDATE SET generation = excluded.generation, table_json = excluded.table_json, updated_at = excluded.updated_at
        WHERE canary_desired_table.generation < excluded.generation
        """;

    /// <summary>
    /// The desired table, or null when none was written yet (no row, or the schema is not created). A row that does
    /// not parse or validate comes back with its errors and a null table.
    /// </summary>
    public static async Task<DesiredTableRow?> ReadAsync(NpgsqlDataSource dataSource, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(dataSource);
        try
        {
            await using var command = dataSource.CreateCommand(SelectSql);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            if (!await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                return null;
            }

            var generation = reader.GetInt64(0);
            var json = reader.GetString(1);
            var updatedAt = new DateTimeOffset(DateTime.SpecifyKind(reader.GetDateTime(2), DateTimeKind.Utc));
            var table = RolloutTableJson.Parse(json, out var errors);
            if (table is not null && table.Generation != generation)
            {
                return new DesiredTableRow(null, generation, updatedAt, [$"generation column ({generation}) differs from the table's generation ({table.Generation})"]);
            }

            return new DesiredTableRow(table, generation, updatedAt, errors);
        }
        catch (PostgresException e) when (e.SqlState == UndefinedTable)
        {
            return null;
        }
    }

    /// <summary>
    /// Writes <paramref name="table"/> inside the caller's transaction, so the analyzer commits the desired table and the
    /// decision that produced it together; false when the stored generation is already as high.
    /// </summary>
    public static async Task<bool> TryWriteAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, RolloutTable table, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentNullException.ThrowIfNull(table);
        var errors = RolloutTableValidator.Validate(table);
        if (errors.Count > 0)
        {
            throw new ArgumentException("invalid rollout table: " + string.Join("; ", errors), nameof(table));
        }

        await using var command = new NpgsqlCommand(UpsertSql, connection, transaction);
        command.Parameters.Add(new NpgsqlParameter { Value = table.Generation, NpgsqlDbType = NpgsqlDbType.Bigint });
        command.Parameters.Add(new NpgsqlParameter { Value = System.Text.Encoding.UTF8.GetString(RolloutTableJson.Write(table)), NpgsqlDbType = NpgsqlDbType.Text });
        return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 1;
    }

    /// <summary>Writes <paramref name="table"/> if its generation is higher than the stored one; false otherwise.</summary>
    public static async Task<bool> TryWriteAsync(NpgsqlDataSource dataSource, RolloutTable table, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(dataSource);
        ArgumentNullException.ThrowIfNull(table);
        var errors = RolloutTableValidator.Validate(table);
        if (errors.Count > 0)
        {
            throw new ArgumentException("invalid rollout table: " + string.Join("; ", errors), nameof(table));
        }

        await using var command = dataSource.CreateCommand(UpsertSql);
        command.Parameters.Add(new NpgsqlParameter { Value = table.Generation, NpgsqlDbType = NpgsqlDbType.Bigint });
        command.Parameters.Add(new NpgsqlParameter { Value = System.Text.Encoding.UTF8.GetString(RolloutTableJson.Write(table)), NpgsqlDbType = NpgsqlDbType.Text });
        return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 1;
    }
}
