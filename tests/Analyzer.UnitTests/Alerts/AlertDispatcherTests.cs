using Canary.Analyzer.Alerts;

namespace Canary.Analyzer.UnitTests.Alerts;

public sealed class AlertDispatcherTests
{
    [Theory]
    [InlineData("ftp://hooks.example/x")]
    [InlineData("/relative/path")]
    public void Constructor_NonHttpWebhook_Throws(string uri)
    {
        using var http = new HttpClient();
        var options = new AlertOptions { Webhooks = [new AlertWebhook(new Uri(uri, UriKind.RelativeOrAbsolute), AlertWebhookFormat.Generic)] };

        var ex = Assert.Throws<ArgumentException>(() => new AlertDispatcher(new WebhookSender(http, options, TimeProvider.System), options));

        Assert.Contains("not an absolute http(s) URL", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Enqueue_NoWebhooks_IsANoOpAndDrainsAtOnce()
    {
        using var http = new HttpClient();
        var options = new AlertOptions();
        await using var dispatcher = new AlertDispatcher(new WebhookSender(http, options, TimeProvider.System), options);

        dispatcher.Enqueue(new AlertEvent(AlertKind.Completion, "r", 75, 100, "done", "", DateTimeOffset.UnixEpoch));

        Assert.True(await dispatcher.DrainAsync(TimeSpan.Zero, TimeProvider.System));
        Assert.Equal(0, dispatcher.Delivered + dispatcher.Failed + dispatcher.Dropped);
    }
}
