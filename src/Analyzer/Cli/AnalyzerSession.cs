using Canary.Analyzer.Alerts;
using Canary.Analyzer.Configuration;
using Canary.Analyzer.Decisions;
using Canary.Analyzer.Discovery;
using Canary.Analyzer.Kubernetes;
using Canary.Analyzer.MeshWeights;
using Canary.Analyzer.Push;
using Canary.Analyzer.Quality;
using Canary.Analyzer.Rollouts;
using Canary.Analyzer.Serving;
using Npgsql;

namespace Canary.Analyzer.Cli;

/// <summary>
/// The services one command builds from its checked settings, each created when first used and disposed when the
/// command ends: the data source, the runner (discovery, pusher, prices), the lifecycle, the alert notifier and the
/// storage pass. Written once here, so every command wires them the same way.
/// </summary>
internal sealed class AnalyzerSession : IAsyncDisposable
{
    private NpgsqlDataSource? _dataSource;
    private RolloutRunner? _runner;
    private RolloutLifecycle? _lifecycle;
    private AlertNotifier? _alerts;
    private HttpClient? _judgeHttp;
    private SampleJudge? _judge;

    public AnalyzerSession(AnalyzerSettings settings, TimeProvider time, CliOutput output)
    {
        Settings = settings;
        Time = time;
        Output = output;
        // Alerts report from their delivery threads.
        Log = TextWriter.Synchronized(output.Error);
    }

    public AnalyzerSettings Settings { get; }

    public TimeProvider Time { get; }

    public CliOutput Output { get; }

    /// <summary>Standard error, safe to write from background work.</summary>
    public TextWriter Log { get; }

    /// <summary>The command's PostgreSQL; only commands that declared they need a database ask for it.</summary>
    public NpgsqlDataSource DataSource => _dataSource ??= new NpgsqlSlimDataSourceBuilder(
        Settings.DatabaseConnectionString ?? throw new InvalidOperationException("no database configured for a command that needs one")).Build();

    public RolloutRunner Runner => _runner ??= new RolloutRunner(
        DataSource, new DecisionEngine(Time), Time, Discovery(), new TablePusher(Settings.ControlToken, TimeSpan.FromSeconds(2)))
    {
        Prices = Settings.Prices,
        MeshWeights = Settings.MeshWeightServices is { } services
            ? new MeshWeightSync(() => KubernetesClientFactory.Create(new KubernetesConnectionOptions()), services)
            : null,
    };

    /// <summary>
    /// What <c>run-once</c> and <c>serve</c> run: the runner, after a judging pass when a judge is configured
    /// (<c>Canary:Judge</c>); exactly the runner when not.
    /// </summary>
    public IRolloutRunner AnalysisRunner => Judge is { } judge ? new JudgingRolloutRunner(judge, Runner) : Runner;

    /// <summary>The judge of quality samples; null when none is configured.</summary>
    public SampleJudge? Judge => Settings.Judge is not { } options ? null
        : _judge ??= SampleJudge.Create(options, _judgeHttp = new HttpClient { Timeout = Timeout.InfiniteTimeSpan }, DataSource, Time);

    public RolloutLifecycle Lifecycle => _lifecycle ??= new RolloutLifecycle(DataSource, Runner, Time);

    public AlertNotifier Alerts => _alerts ??= new AlertNotifier(DataSource, Settings.Alerts, Time, Log);

    public StorageMaintenance Maintenance => new(DataSource, Time, Output.Out, Output.Error);

    public async ValueTask DisposeAsync()
    {
        if (_alerts is not null)
        {
            await _alerts.DisposeAsync().ConfigureAwait(false);
        }

        _judgeHttp?.Dispose();
        if (_dataSource is not null)
        {
            await _dataSource.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>The static list when one is given; else, in a cluster, sidecar pods by label selector; else none.</summary>
    private ISidecarDiscovery? Discovery() =>
        Settings.StaticSidecars is { } fixedList ? fixedList
        : Settings.KubernetesDiscovery is { } kubernetes ? new KubernetesSidecarDiscovery(KubernetesClientFactory.Create(new KubernetesConnectionOptions()), kubernetes)
        : null;
}
