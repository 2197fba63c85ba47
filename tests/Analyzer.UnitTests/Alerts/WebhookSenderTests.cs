using System.Net;
using Canary.Analyzer.Alerts;
using Microsoft.Extensions.Time.Testing;

namespace Canary.Analyzer.UnitTests.Alerts;

public sealed class WebhookSenderTests
{
    private static readonly Uri Hook = new("http://hooks.example/alert");

    private static readonly AlertOptions Options = new()
    {
        MaxAttempts = 5,
        InitialBackoff = TimeSpan.FromSeconds(1),
        MaxBackoff = TimeSpan.FromSeconds(3),
    };

    [Fact]
    public async Task SendAsync_TransientFailures_BacksOffDoublingUpToCap()
    {
        var fake = new FakeTimeProvider(new DateTimeOffset(2026, 11, 26, 9, 0, 0, TimeSpan.Zero));
        var time = new TimerSignallingTimeProvider(fake);
        var handler = new ScriptedHandler(fake, HttpStatusCode.ServiceUnavailable, HttpStatusCode.TooManyRequests, HttpStatusCode.InternalServerError, HttpStatusCode.BadGateway, HttpStatusCode.OK);
        using var http = new HttpClient(handler);
        var sender = new WebhookSender(http, Options, time);

        var send = sender.SendAsync(Hook, [], CancellationToken.None);
        TimeSpan[] backoffs = [TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(3), TimeSpan.FromSeconds(3)];
        for (var i = 0; i < backoffs.Length; i++)
        {
            // The sender has failed attempt i + 1 and started its back-off: end exactly that wait.
            var wait = await time.NextTimerAsync();
            Assert.Equal(i + 1, handler.Calls);
            Assert.Equal(backoffs[i], wait);
            fake.Advance(wait);
        }

        var result = await send;
        Assert.Equal(new WebhookDeliveryResult(true, 5, null), result);
        var gaps = handler.CallTimes.Zip(handler.CallTimes.Skip(1), (a, b) => (b - a).TotalSeconds).ToArray();
        Assert.Equal([1, 2, 3, 3], gaps);
    }

    [Fact]
    public async Task SendAsync_NonTransientStatus_StopsAfterOneAttempt()
    {
        var handler = new ScriptedHandler(TimeProvider.System, HttpStatusCode.NotFound, HttpStatusCode.OK);
        using var http = new HttpClient(handler);

        var result = await new WebhookSender(http, Options, TimeProvider.System).SendAsync(Hook, [], CancellationToken.None);

        Assert.Equal(new WebhookDeliveryResult(false, 1, "HTTP 404"), result);
        Assert.Equal(1, handler.Calls);
    }

    [Fact]
    public void Constructor_ZeroAttempts_Throws()
    {
        using var http = new HttpClient();

        Assert.Throws<ArgumentOutOfRangeException>(() => new WebhookSender(http, Options with { MaxAttempts = 0 }, TimeProvider.System));
    }
}
