using System.CommandLine;
using Canary.Analyzer.Decisions;
using Canary.Analyzer.Discovery;
using Canary.Analyzer.Push;
using Canary.Analyzer.Rollouts;
using Npgsql;

namespace Canary.Analyzer.Cli;

/// <summary>
/// The options every database-backed command shares: where PostgreSQL is, which sidecars to push to (a static list;
/// Kubernetes discovery is the <c>discover</c> command's and the chart's job), and the control token.
/// </summary>
internal sealed class AnalyzerConnection
{
    private readonly Option<string?> _database = new("--database")
    {
        Description = "PostgreSQL connection string (default: $Canary__Database__ConnectionString, then $CANARY_DATABASE_URL).",
    };

    private readonly Option<string[]> _sidecars = new("--sidecars")
    {
        Description = "Sidecar control endpoints to push to, name=host:port or host:port (repeatable; default: $CANARY_SIDECARS, comma-separated).",
        AllowMultipleArgumentsPerToken = true,
    };

    private readonly Option<string?> _tokenFile = new("--token-file")
    {
        Description = "File holding the control API bearer token (default: $CANARY_CONTROL_TOKEN).",
    };

    public void AddTo(Command command)
    {
        command.Options.Add(_database);
        command.Options.Add(_sidecars);
        command.Options.Add(_tokenFile);
    }

    public NpgsqlDataSource OpenDataSource(ParseResult parse)
    {
        var connectionString = parse.GetValue(_database)
            ?? Environment.GetEnvironmentVariable("Canary__Database__ConnectionString")
            ?? Environment.GetEnvironmentVariable("CANARY_DATABASE_URL")
            ?? throw new ArgumentException("no database: pass --database or set Canary__Database__ConnectionString");
        return new NpgsqlSlimDataSourceBuilder(connectionString).Build();
    }

    public (RolloutRunner Runner, RolloutLifecycle Lifecycle) Create(ParseResult parse, NpgsqlDataSource dataSource)
    {
        var time = TimeProvider.System;
        var list = parse.GetValue(_sidecars) is { Length: > 0 } given
            ? given
            : (Environment.GetEnvironmentVariable("CANARY_SIDECARS") ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        ISidecarDiscovery? discovery = list.Length > 0 ? StaticSidecarDiscovery.Parse(list) : null;
        var tokenFile = parse.GetValue(_tokenFile);
        var token = tokenFile is not null ? File.ReadAllText(tokenFile).Trim() : Environment.GetEnvironmentVariable("CANARY_CONTROL_TOKEN");
        var pusher = new TablePusher(token, TimeSpan.FromSeconds(2));
        var runner = new RolloutRunner(dataSource, new DecisionEngine(time), time, discovery, pusher);
        return (runner, new RolloutLifecycle(dataSource, runner, time));
    }
}
