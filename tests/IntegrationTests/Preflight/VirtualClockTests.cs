namespace Canary.IntegrationTests.Preflight;

/// <summary>The virtual clock the preflight tests measure on: moved only by its timers, and exactly to their due instants.</summary>
public sealed class VirtualClockTests
{
    [Fact]
    public async Task Delay_OneAfterAnother_ClockReadsTheSumOfTheDueTimes()
    {
        var clock = new VirtualClock();

        await Task.Delay(TimeSpan.FromMilliseconds(50), clock);
        await Task.Delay(TimeSpan.FromMilliseconds(30), clock);

        Assert.Equal(TimeSpan.FromMilliseconds(80), clock.Elapsed);
        Assert.Equal(TimeSpan.FromMilliseconds(80), clock.GetElapsedTime(0));
    }

    [Fact]
    public async Task CancellationTimer_DisposedOrStoppedBeforeDue_NeverMovesTheClock()
    {
        var clock = new VirtualClock();
        using (new CancellationTokenSource(TimeSpan.FromMilliseconds(20), clock))
        {
        }

        using var stopped = new CancellationTokenSource(TimeSpan.FromMilliseconds(20), clock);
        stopped.CancelAfter(Timeout.InfiniteTimeSpan);
        // Real time for the stopped timers to fire if they were still running; whatever it takes, they must not.
        await Task.Delay(TimeSpan.FromMilliseconds(100));

        Assert.Equal(TimeSpan.Zero, clock.Elapsed);
        Assert.False(stopped.IsCancellationRequested);
    }

    [Fact]
    public async Task CancellationTimer_Rescheduled_MovesTheClockToTheNewDueInstant()
    {
        var clock = new VirtualClock();
        using var timeout = new CancellationTokenSource(TimeSpan.FromHours(1), clock);
        var cancelled = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var registration = timeout.Token.Register(cancelled.SetResult);

        timeout.CancelAfter(TimeSpan.FromMilliseconds(30));
        await cancelled.Task;

        Assert.Equal(TimeSpan.FromMilliseconds(30), clock.Elapsed);
    }
}
