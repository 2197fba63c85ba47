using System.CommandLine;
using Canary.Analyzer.Decisions;
using Canary.Analyzer.Discovery;
using Canary.Analyzer.Pricing;
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

    /// <summary>
    /// In a cluster (the chart's CronJob), sidecars are found by label selector in the analyzer's namespace:
    /// <c>Canary__Discovery__Namespace</c>, <c>Canary__Discovery__LabelSelectors__0</c>, <c>Canary__Discovery__ControlPort</c>.
    /// </summary>
    private static KubernetesSidecarDiscovery? KubernetesFromEnvironment()
    {
        var ns = Environment.GetEnvironmentVariable("Canary__Discovery__Namespace");
        if (string.IsNullOrEmpty(ns))
        {
            return null;
        }

        var defaults = new KubernetesDiscoveryOptions();
        var port = int.TryParse(Environment.GetEnvironmentVariable("Canary__Discovery__ControlPort"), out var p) ? p : KubernetesDiscoveryOptions.DefaultControlPort;
        return new KubernetesSidecarDiscovery(
            Canary.Analyzer.Kubernetes.KubernetesClientFactory.Create(new Canary.Analyzer.Kubernetes.KubernetesConnectionOptions()),
            new KubernetesDiscoveryOptions
            {
                Namespaces = [ns],
                LabelSelector = Environment.GetEnvironmentVariable("Canary__Discovery__LabelSelectors__0") ?? defaults.LabelSelector,
                ControlPort = port,
            });
    }

    /// <summary>
    /// The price table to re-price cost with, from the file named by <c>CANARY_PRICE_TABLE</c> (the sidecar's settings
    /// file or its price list); null when unset. A broken file fails the command rather than silently using old prices.
    /// </summary>
    private static AnalyzerPriceTable? PricesFromEnvironment()
    {
        var path = Environment.GetEnvironmentVariable("CANARY_PRICE_TABLE");
        if (string.IsNullOrEmpty(path))
        {
            return null;
        }

        var errors = new List<string>();
        var table = PriceTableFile.Parse(File.ReadAllText(path), errors);
        return errors.Count == 0 ? table : throw new ArgumentException($"CANARY_PRICE_TABLE {path}: " + string.Join("; ", errors));
    }

    public (RolloutRunner Runner, RolloutLifecycle Lifecycle) Create(ParseResult parse, NpgsqlDataSource dataSource)
    {
        var time = TimeProvider.System;
        var list = parse.GetValue(_sidecars) is { Length: > 0 } given
            ? given
            : (Environment.GetEnvironmentVariable("CANARY_SIDECARS") ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        ISidecarDiscovery? discovery = list.Length > 0 ? StaticSidecarDiscovery.Parse(list) : KubernetesFromEnvironment();
        var tokenFile = parse.GetValue(_tokenFile) ?? Environment.GetEnvironmentVariable("Canary__Control__TokenFile");
        var token = tokenFile is not null ? File.ReadAllText(tokenFile).Trim() : Environment.GetEnvironmentVariable("CANARY_CONTROL_TOKEN");
        var pusher = new TablePusher(token, TimeSpan.FromSeconds(2));
        var runner = new RolloutRunner(dataSource, new DecisionEngine(time), time, discovery, pusher) { Prices = PricesFromEnvironment() };
        return (runner, new RolloutLifecycle(dataSource, runner, time));
    }
}
