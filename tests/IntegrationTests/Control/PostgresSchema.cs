using Npgsql;

namespace Canary.IntegrationTests.Control;

/// <summary>A fresh schema per test on the PostgreSQL of <c>CANARY_TEST_POSTGRES</c>, dropped afterwards, so tests run in parallel.</summary>
public sealed class PostgresSchema : IAsyncDisposable
{
    private readonly NpgsqlDataSource _admin;

    private PostgresSchema(NpgsqlDataSource admin, string name, string connectionString)
    {
        _admin = admin;
        Name = name;
        ConnectionString = connectionString;
        DataSource = NpgsqlDataSource.Create(connectionString);
    }

    public string Name { get; }

    /// <summary>Connection string whose search path is this schema only.</summary>
    public string ConnectionString { get; }

    public NpgsqlDataSource DataSource { get; }

    public static async Task<PostgresSchema> CreateAsync()
    {
        var baseConnection = Environment.GetEnvironmentVariable(RequiresPostgresFactAttribute.Variable);
        if (string.IsNullOrEmpty(baseConnection))
        {
            throw new InvalidOperationException($"{RequiresPostgresFactAttribute.Variable} is not set, and CI=true requires PostgreSQL tests to run");
        }

        var name = $"canary_test_{Guid.NewGuid():N}";
        var admin = NpgsqlDataSource.Create(baseConnection);
        await using (var command = admin.CreateCommand($"CREATE SCHEMA {name}"))
        {
            await command.ExecuteNonQueryAsync();
        }

        var builder = new NpgsqlConnectionStringBuilder(baseConnection) { SearchPath = name };
        return new PostgresSchema(admin, name, builder.ConnectionString);
    }

    public async ValueTask DisposeAsync()
    {
        await DataSource.DisposeAsync();
        await using (var command = _admin.CreateCommand($"DROP SCHEMA IF EXISTS {Name} CASCADE"))
        {
            await command.ExecuteNonQueryAsync();
        }

        await _admin.DisposeAsync();
    }
}
