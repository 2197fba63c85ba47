using Npgsql;
using NpgsqlTypes;

namespace Canary.Contracts.Telemetry;

/// <summary>
/// Applies <see cref="SchemaMigrations"/> in order, each at most once, recording them in <c>canary_schema_version</c>.
/// Safe to run from many processes at once: everything happens in one transaction under a transaction-scoped advisory
/// lock, so a second runner waits and then finds nothing to do, and a failed migration leaves no partial schema.
/// </summary>
public static class SchemaMigrator
{
    /// <summary>Advisory lock key ("CANARY" + 0x0001) shared by every program that migrates this schema.</summary>
    public const long AdvisoryLockKey = 0x43414E4152590001;

    public static async Task<SchemaMigrationResult> MigrateAsync(NpgsqlDataSource dataSource, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(dataSource);
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);

        await ExecuteAsync(connection, $"SELECT pg_advisory_xact_lock({AdvisoryLockKey})", cancellationToken).ConfigureAwait(false);
        await ExecuteAsync(
            connection,
            """
            CREATE TABLE IF NOT EXISTS canary_schema_version (
                version    integer     PRIMARY KEY,
                name       text        NOT NULL,
                applied_at timestamptz NOT NULL DEFAULT now()
            )
            """,
            cancellationToken).ConfigureAwait(false);

        int previous;
        await using (var read = new NpgsqlCommand("SELECT coalesce(max(version), 0) FROM canary_schema_version", connection))
        {
            previous = (int)(await read.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
        }

        var applied = 0;
        var current = previous;
        foreach (var migration in SchemaMigrations.All)
        {
            if (migration.Version <= previous)
            {
                continue;
            }

            await ExecuteAsync(connection, LoadSql(migration), cancellationToken).ConfigureAwait(false);
            await using var record = new NpgsqlCommand("INSERT INTO canary_schema_version (version, name) VALUES ($1, $2)", connection);
            record.Parameters.Add(new NpgsqlParameter<int> { NpgsqlDbType = NpgsqlDbType.Integer, TypedValue = migration.Version });
            record.Parameters.Add(new NpgsqlParameter<string> { NpgsqlDbType = NpgsqlDbType.Text, TypedValue = migration.FileName });
            await record.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            applied++;
            current = migration.Version;
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return new SchemaMigrationResult(previous, current, applied);
    }

    /// <summary>The SQL text of an embedded migration.</summary>
    public static string LoadSql(SchemaMigration migration)
    {
        using var stream = typeof(SchemaMigrator).Assembly.GetManifestResourceStream(migration.ResourceName)
            ?? throw new InvalidOperationException($"Migration {migration.Version} ({migration.ResourceName}) is not embedded in Canary.Contracts.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, string sql, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }
}
