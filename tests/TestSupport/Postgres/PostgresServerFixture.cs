using Npgsql;

namespace Canary.TestSupport.Postgres;

/// <summary>
/// One PostgreSQL server for the "Postgres" test collection (CANARY_TEST_POSTGRES, else a private cluster); every test
/// gets a fresh database from <see cref="CreateDatabaseAsync"/>, so tests never see each other's rows.
/// </summary>
public sealed class PostgresServerFixture : IAsyncLifetime
{
    private readonly List<string> _databases = [];
    private PostgresCluster? _cluster;
    private string? _connectionString;
    private Exception? _startFailure;

    public async Task InitializeAsync()
    {
        _connectionString = PostgresEnvironment.ExternalConnectionString;
        if (_connectionString is not null || !PostgresEnvironment.CanStartCluster)
        {
            return;
        }

        try
        {
            _cluster = await PostgresCluster.StartNewAsync();
            _connectionString = _cluster.ConnectionString;
        }
        catch (InvalidOperationException exception)
        {
            _startFailure = exception;
        }
    }

    public async Task DisposeAsync()
    {
        if (_cluster is not null)
        {
            await _cluster.DisposeAsync();
            return;
        }

        // An external server outlives the tests: leave it as it was found.
        if (_connectionString is not null && _databases.Count > 0)
        {
            await using var server = new NpgsqlSlimDataSourceBuilder(_connectionString).Build();
            foreach (var name in _databases)
            {
                await using var drop = server.CreateCommand($"DROP DATABASE IF EXISTS {name} WITH (FORCE)");
                await drop.ExecuteNonQueryAsync();
            }
        }
    }

    /// <summary>Creates an empty database and returns an AOT-style (slim) data source for it.</summary>
    public async Task<NpgsqlDataSource> CreateDatabaseAsync()
    {
        if (_connectionString is null)
        {
            throw new InvalidOperationException(PostgresEnvironment.MissingMessage, _startFailure);
        }

        var name = "canary_test_" + Guid.NewGuid().ToString("N");
        lock (_databases)
        {
            _databases.Add(name);
        }

        await using (var server = new NpgsqlSlimDataSourceBuilder(_connectionString).Build())
        await using (var create = server.CreateCommand($"CREATE DATABASE {name}"))
        {
            await create.ExecuteNonQueryAsync();
        }

        var builder = new NpgsqlConnectionStringBuilder(_connectionString) { Database = name };
        return new NpgsqlSlimDataSourceBuilder(builder.ConnectionString).Build();
    }
}
