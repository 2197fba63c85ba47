using System.Net.Sockets;
using Canary.Analyzer.Alerts;
using Canary.Analyzer.Metrics;
using Microsoft.Extensions.Hosting;

namespace Canary.Analyzer.Serving;

/// <summary>
/// <c>serve</c>'s work: analyze and act on every running rollout at once, then at each tick of
/// <see cref="ServeOptions.Interval"/>; after each run, queue its alerts (delivered in the background, the next tick does
/// not wait) and roll up storage. A run that fails on a dependency (PostgreSQL, a socket, a timeout) is counted and
/// retried at the next tick: nothing was half-written, each run is one transaction. When the host stops (SIGTERM, as
/// Kubernetes stops a pod), the run in flight is cancelled and queued alerts get their bounded chance to go out.
/// </summary>
internal sealed class AnalysisLoop : BackgroundService
{
    private readonly Rollouts.IRolloutRunner _runner;
    private readonly IAlertNotifier _alerts;
    private readonly IStorageMaintenance _maintenance;
    private readonly AnalyzerMetrics _metrics;
    private readonly IRunReporter _reporter;
    private readonly ServeOptions _options;
    private readonly TimeProvider _time;

    public AnalysisLoop(
        Rollouts.IRolloutRunner runner, IAlertNotifier alerts, IStorageMaintenance maintenance, AnalyzerMetrics metrics, IRunReporter reporter, ServeOptions options, TimeProvider time)
    {
        _runner = runner;
        _alerts = alerts;
        _maintenance = maintenance;
        _metrics = metrics;
        _reporter = reporter;
        _options = options;
        _time = time;
    }

    /// <summary>The failure that ended the loop, if one did: not a dependency's, so retrying would not help.</summary>
    public Exception? Failure { get; private set; }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(_options.Interval, _time);
        try
        {
            do
            {
                await RunOnceAsync(stoppingToken).ConfigureAwait(false);
            }
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            await _alerts.DrainAsync().ConfigureAwait(false);
        }
        catch (Exception e)
        {
            Failure = e;
            throw;
        }
    }

    private async Task RunOnceAsync(CancellationToken stoppingToken)
    {
        var started = _time.GetTimestamp();
        try
        {
            var outcome = await _runner.RunOnceAsync(dryRun: false, stoppingToken).ConfigureAwait(false);
            _reporter.Ran(outcome);
            _metrics.RecordRun(outcome, _time.GetUtcNow(), _time.GetElapsedTime(started));
            await _alerts.NotifyAsync(outcome, stoppingToken).ConfigureAwait(false);
            // Each tick rolls up what closed since the last one, so windows ending now stay cheap to read.
            await _maintenance.RunAsync(stoppingToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is Npgsql.NpgsqlException or InvalidOperationException or SocketException or TimeoutException)
        {
            _metrics.RecordFailedRun(_time.GetUtcNow(), _time.GetElapsedTime(started));
            _reporter.Failed(e);
        }
    }
}
