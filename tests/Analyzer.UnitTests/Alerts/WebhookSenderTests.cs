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
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 26, 9, 0, 0, TimeSpan.Zero));
        var handler = new ScriptedHandler(time, HttpStatusCode.ServiceUnavailable, HttpStatusCode.TooManyRequests, HttpStatusCode.InternalServerError, HttpStatusCode.BadGateway, HttpStatusCode.OK);
        using var http = new HttpClient(handler);
        var sender = new WebhookSender(http, Options, time);

        var send = sender.SendAsync(Hook, [], CancellationToken.None);
        while (!send.IsCompleted)
        {
            // Let the sender reach its next backoff wait before moving the fake clock on.
            await Task.Delay(2);
            time.Advance(TimeSpan.FromMilliseconds(250));
        }

        var result = await send;
        Assert.Equal(new WebhookDeliveryResult(true, 5, null), result);
        var gaps = handler.CallTimes.Zip(handler.CallTimes.Skip(1), (a, b) => (b - a).TotalSeconds).ToArray();
        double[] expected = [1, 2, 3, 3];
        Assert.Equal(expected.Length, gaps.Length);
        for (var i = 0; i < gaps.Length; i++)
        {
            // The loop advances in 250 ms steps, so a gap may overshoot its backoff by at most a step or two.
            Assert.InRange(gaps[i], expected[i], expected[i] + 0.5);
        }
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
