using Canary.Analyzer.Metrics;
using Canary.Analyzer.Rollouts;
using Canary.Analyzer.Serving;
using Microsoft.Extensions.Time.Testing;

namespace Canary.Analyzer.UnitTests.Serving;

public sealed class AnalysisLoopTests
{
    private static readonly TimeSpan Interval = TimeSpan.FromMinutes(2);
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 3, 1, 8, 0, 0, TimeSpan.Zero));
    private readonly RecordingServeParts _parts = new();
    private readonly AnalyzerMetrics _metrics = new();

    [Fact]
    public async Task ExecuteAsync_Started_RunsAtOnceThenAtEachInterval()
    {
        var runner = new ScriptedRunner((_, _) => Task.FromResult(ScriptedRunner.NothingRunning));
        using var loop = Loop(runner);

        await loop.StartAsync(CancellationToken.None);
        await _parts.NextAsync("maintained");
        Assert.Equal(1, runner.Calls);
        _clock.Advance(Interval);
        await _parts.NextAsync("maintained");
        await loop.StopAsync(CancellationToken.None);

        Assert.Equal(2, runner.Calls);
        Assert.Equal(2, _parts.Notified);
        Assert.Equal(2, _metrics.RunsSucceeded);
        Assert.Equal(_clock.GetUtcNow().ToUnixTimeMilliseconds() / 1000.0, _metrics.LastRunTimestampSeconds);
    }

    [Fact]
    public async Task ExecuteAsync_RunFailsOnADependency_CountedReportedAndRetriedAtTheNextTick()
    {
        var runner = new ScriptedRunner((call, _) => call == 1
            ? Task.FromException<RunOutcome>(new Npgsql.NpgsqlException("connection refused"))
            : Task.FromResult(ScriptedRunner.NothingRunning));
        using var loop = Loop(runner);

        await loop.StartAsync(CancellationToken.None);
        await _parts.NextAsync("failed");
        Assert.Equal(1, _metrics.RunsFailed);
        Assert.Equal(0, _parts.Notified);
        _clock.Advance(Interval);
        await _parts.NextAsync("maintained");
        await loop.StopAsync(CancellationToken.None);

        Assert.Equal(["connection refused"], _parts.Failures);
        Assert.Equal(1, _metrics.RunsSucceeded);
        Assert.Null(loop.Failure);
    }

    [Fact]
    public async Task StopAsync_RunInFlight_CancelsTheRunAndDrainsAlerts()
    {
        var cancelled = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var runner = new ScriptedRunner(async (_, ct) =>
        {
            await using var registration = ct.Register(() => cancelled.TrySetResult());
            await Task.Delay(Timeout.Infinite, ct);
            return ScriptedRunner.NothingRunning;
        });
        using var loop = Loop(runner);

        await loop.StartAsync(CancellationToken.None);
        await runner.NextCallAsync();
        await loop.StopAsync(CancellationToken.None);

        Assert.True(cancelled.Task.IsCompleted);
        Assert.Equal(1, _parts.Drains);
        Assert.True(loop.ExecuteTask!.IsCompletedSuccessfully);
        Assert.Null(loop.Failure);
        Assert.Equal(0, _metrics.RunsFailed);
    }

    [Fact]
    public async Task StopAsync_BetweenTicks_DrainsAlertsOnce()
    {
        var runner = new ScriptedRunner((_, _) => Task.FromResult(ScriptedRunner.NothingRunning));
        using var loop = Loop(runner);

        await loop.StartAsync(CancellationToken.None);
        await _parts.NextAsync("maintained");
        await loop.StopAsync(CancellationToken.None);

        Assert.Equal(1, _parts.Drains);
        Assert.Equal(1, runner.Calls);
    }

    [Fact]
    public async Task ExecuteAsync_FailureRetryingCannotFix_EndsTheLoopWithIt()
    {
        var runner = new ScriptedRunner((_, _) => Task.FromException<RunOutcome>(new FormatException("stored options are corrupt")));
        using var loop = Loop(runner);

        await loop.StartAsync(CancellationToken.None);
        var error = await Assert.ThrowsAsync<FormatException>(() => loop.ExecuteTask!);

        Assert.Same(error, loop.Failure);
        Assert.Equal(0, _parts.Drains);
        Assert.Equal(0, _metrics.RunsFailed);
    }

    private AnalysisLoop Loop(ScriptedRunner runner) =>
        new(runner, _parts, _parts, _metrics, _parts, new ServeOptions { Interval = Interval }, _clock);
}
