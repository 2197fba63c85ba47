using Npgsql;

namespace Canary.Benchmarks.Storage;

/// <summary>
/// A fresh database for one database benchmark on the server of <c>--connection</c> (default CANARY_TEST_POSTGRES),
/// so a run never sees another's rows; dropped at the end unless the benchmark keeps it for inspection.
/// </summary>
internal sealed class BenchmarkDatabase
{
    private readonly string _serverConnectionString;

    private BenchmarkDatabase(string serverConnectionString, string name)
    {
        _serverConnectionString = serverConnectionString;
        Name = name;
        ConnectionString = new NpgsqlConnectionStringBuilder(serverConnectionString) { Database = name, CommandTimeout = 0 }.ConnectionString;
    }

    public string Name { get; }

    /// <summary>Connection string of the fresh database, with no command timeout (loads and queries run long).</summary>
    public string ConnectionString { get; }

    /// <summary>The server's connection string from <c>--connection</c> or CANARY_TEST_POSTGRES; null when neither is set.</summary>
    public static string? ServerConnectionString(string[] args)
    {
        var index = Array.IndexOf(args, "--connection");
        var value = index >= 0 && index + 1 < args.Length ? args[index + 1] : Environment.GetEnvironmentVariable("CANARY_TEST_POSTGRES");
        return string.IsNullOrEmpty(value) ? null : value;
    }

    public static async Task<BenchmarkDatabase> CreateAsync(string serverConnectionString, string prefix)
    {
        var name = prefix + Guid.NewGuid().ToString("N")[..12];
        await using var server = new NpgsqlSlimDataSourceBuilder(serverConnectionString).Build();
        await using var create = server.CreateCommand($"CREATE DATABASE {name}");
        await create.ExecuteNonQueryAsync();
        return new BenchmarkDatabase(serverConnectionString, name);
    }

    public async Task DropAsync()
    {
        NpgsqlConnection.ClearAllPools();
        await using var server = new NpgsqlSlimDataSourceBuilder(_serverConnectionString).Build();
        await using var drop = server.CreateCommand($"DROP DATABASE IF EXISTS {Name} WITH (FORCE)");
        await drop.ExecuteNonQueryAsync();
    }
}
