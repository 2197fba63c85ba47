using System.Net;
using System.Net.Sockets;
using Canary.Analyzer.Metrics;
using Canary.Analyzer.Rollouts;
using Canary.Analyzer.Serving;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Time.Testing;

namespace Canary.Analyzer.UnitTests.Serving;

/// <summary>
/// serve's host as it runs in the process: the loop and the metrics endpoint together, stopped the way the console
/// lifetime stops it on SIGTERM (IHostApplicationLifetime.StopApplication). The real SIGTERM of the real binary is
/// covered in the integration tests (ServeMetricsTests).
/// </summary>
public sealed class ServeHostTests
{
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 3, 1, 8, 0, 0, TimeSpan.Zero));
    private readonly RecordingServeParts _parts = new();
    private readonly AnalyzerMetrics _metrics = new();

    [Fact]
    public async Task RunAsync_StopRequested_DrainsAlertsStopsMetricsAndReturns()
    {
        var bound = new TaskCompletionSource<IPEndPoint>(TaskCreationOptions.RunContinuationsAsynchronously);
        var runner = new ScriptedRunner((_, _) => Task.FromResult(ScriptedRunner.NothingRunning));
        using var host = Build(runner, new IPEndPoint(IPAddress.Loopback, 0), bound);

        var running = ServeHost.RunAsync(host, CancellationToken.None);
        var endpoint = await bound.Task.WaitAsync(TimeSpan.FromSeconds(30));
        await _parts.NextAsync("maintained");
        using (var http = new HttpClient())
        {
            var scraped = await http.GetStringAsync(new Uri($"http://127.0.0.1:{endpoint.Port}/metrics"));
            Assert.Contains("canary_analyzer_runs_total{result=\"ok\"} 1\n", scraped, StringComparison.Ordinal);
        }

        host.Services.GetRequiredService<IHostApplicationLifetime>().StopApplication();
        await running.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(1, _parts.Drains);
        using var client = new TcpClient();
        await Assert.ThrowsAsync<SocketException>(() => client.ConnectAsync(IPAddress.Loopback, endpoint.Port));
    }

    [Fact]
    public async Task RunAsync_CommandCancelled_StopsLikeAStopRequest()
    {
        var runner = new ScriptedRunner((_, _) => Task.FromResult(ScriptedRunner.NothingRunning));
        using var host = Build(runner, metrics: null, bound: null);
        using var cancel = new CancellationTokenSource();

        var running = ServeHost.RunAsync(host, cancel.Token);
        await _parts.NextAsync("maintained");
        await cancel.CancelAsync();
        await running.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(1, _parts.Drains);
    }

    [Fact]
    public async Task RunAsync_LoopEndsWithAFailure_RethrowsIt()
    {
        var runner = new ScriptedRunner((_, _) => Task.FromException<RunOutcome>(new FormatException("stored options are corrupt")));
        using var host = Build(runner, metrics: null, bound: null);

        var error = await Assert.ThrowsAsync<FormatException>(() => ServeHost.RunAsync(host, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(30)));

        Assert.Equal("stored options are corrupt", error.Message);
    }

    private IHost Build(ScriptedRunner runner, IPEndPoint? metrics, TaskCompletionSource<IPEndPoint>? bound) => ServeHost.Build(
        new ServeOptions { Interval = TimeSpan.FromMinutes(1), MetricsEndpoint = metrics },
        runner, _parts, _parts, _metrics, () => MetricsExposition.Write(_metrics, alerts: null), _parts,
        endpoint => bound?.TrySetResult(endpoint), _clock);
}
