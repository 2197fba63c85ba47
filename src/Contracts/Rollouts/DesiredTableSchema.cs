using Npgsql;

namespace Canary.Contracts.Rollouts;

/// <summary>
/// Creates the desired-table schema (<c>Rollouts/DesiredTable.sql</c>, embedded) if it is missing. Idempotent, so
/// every writer may run it before writing; readers do not need it (a missing table reads as "no desired table").
/// </summary>
public static class DesiredTableSchema
{
    public const string ResourceName = "Canary.Contracts.Rollouts.DesiredTable.sql";

    public static string Sql { get; } = ReadSql();

    public static async Task ApplyAsync(NpgsqlDataSource dataSource, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(dataSource);
        await using var command = dataSource.CreateCommand(Sql);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    private static string ReadSql()
    {
        using var stream = typeof(DesiredTableSchema).Assembly.GetManifestResourceStream(ResourceName)
            ?? throw new InvalidOperationException($"embedded resource {ResourceName} is missing");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
