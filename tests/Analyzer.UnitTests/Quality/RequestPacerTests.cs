using Canary.Analyzer.Quality;
using Microsoft.Extensions.Time.Testing;

namespace Canary.Analyzer.UnitTests.Quality;

public sealed class RequestPacerTests
{
    [Fact]
    public void Reserve_StartsSpreadEvenlyAtTheLimit()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 12, 6, 12, 0, 0, TimeSpan.Zero));
        var pacer = new RequestPacer(requestsPerMinute: 120, time);

        Assert.Equal(TimeSpan.FromMilliseconds(500), pacer.Spacing);
        Assert.Equal(TimeSpan.Zero, pacer.Reserve());
        Assert.Equal(TimeSpan.FromMilliseconds(500), pacer.Reserve());
        Assert.Equal(TimeSpan.FromMilliseconds(1000), pacer.Reserve());
    }

    [Fact]
    public void Reserve_AfterAQuietSpell_NoWaitAndNoBurstCredit()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 12, 6, 12, 0, 0, TimeSpan.Zero));
        var pacer = new RequestPacer(requestsPerMinute: 60, time);
        pacer.Reserve();

        time.Advance(TimeSpan.FromMinutes(5));

        Assert.Equal(TimeSpan.Zero, pacer.Reserve());
        Assert.Equal(TimeSpan.FromSeconds(1), pacer.Reserve());
    }

    [Fact]
    public async Task WaitTurnAsync_SecondCallerWaitsForItsSlotOnTheClock()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 12, 6, 12, 0, 0, TimeSpan.Zero));
        var pacer = new RequestPacer(requestsPerMinute: 60, time);

        await pacer.WaitTurnAsync(default);
        var second = pacer.WaitTurnAsync(default);
        Assert.False(second.IsCompleted);

        time.Advance(TimeSpan.FromMilliseconds(999));
        Assert.False(second.IsCompleted);

        time.Advance(TimeSpan.FromMilliseconds(1));
        await second;
    }
}
