using System.Net;
using System.Runtime.ExceptionServices;
using Canary.Analyzer.Alerts;
using Canary.Analyzer.Metrics;
using Canary.Analyzer.Rollouts;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Canary.Analyzer.Serving;

/// <summary>
/// The generic host <c>serve</c> runs in: the metrics endpoint (when configured) and the <see cref="AnalysisLoop"/> as
/// hosted services, started in that order and stopped in the reverse, so <c>/metrics</c> answers while alerts drain.
/// The host's console lifetime turns SIGTERM and Ctrl+C into a graceful stop and a normal exit.
/// </summary>
internal static class ServeHost
{
    /// <param name="options">Interval, metrics endpoint, shutdown bound.</param>
    /// <param name="runner">One analysis pass.</param>
    /// <param name="alerts">Where each run's alerts go.</param>
    /// <param name="maintenance">The storage pass after each run.</param>
    /// <param name="metrics">What the loop counts and the endpoint serves.</param>
    /// <param name="renderMetrics">The exposition text of <paramref name="metrics"/>.</param>
    /// <param name="reporter">Where the loop reports runs.</param>
    /// <param name="metricsStarted">Told the metrics endpoint's bound address.</param>
    /// <param name="time">The loop's clock and timer.</param>
    public static IHost Build(
        ServeOptions options, IRolloutRunner runner, IAlertNotifier alerts, IStorageMaintenance maintenance, AnalyzerMetrics metrics,
        Func<string> renderMetrics, IRunReporter reporter, Action<IPEndPoint> metricsStarted, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(options);
        // The empty builder: no configuration files, no log providers; the analyzer's output is its own lines.
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Services.Configure<HostOptions>(host => host.ShutdownTimeout = options.ShutdownTimeout);
        if (options.MetricsEndpoint is { } endpoint)
        {
            builder.Services.AddHostedService(_ => new MetricsEndpoint(endpoint, renderMetrics, metricsStarted));
        }

        builder.Services.AddSingleton(_ => new AnalysisLoop(runner, alerts, maintenance, metrics, reporter, options, time));
        builder.Services.AddHostedService(provider => provider.GetRequiredService<AnalysisLoop>());
        return builder.Build();
    }

    /// <summary>Runs <paramref name="host"/> until it is stopped; rethrows what ended the loop, if something did.</summary>
    public static async Task RunAsync(IHost host, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(host);
        // Read before running: RunAsync disposes the host and its services.
        var loop = host.Services.GetRequiredService<AnalysisLoop>();
        await host.RunAsync(cancellationToken).ConfigureAwait(false);
        if (loop.Failure is { } failure)
        {
            ExceptionDispatchInfo.Throw(failure);
        }
    }
}
