using System.Text.Json;
using Canary.Analyzer.Alerts;
using Canary.IntegrationTests.StandIns;

namespace Canary.IntegrationTests.Alerts;

public sealed class AlertDispatcherTests
{
    private static readonly AlertEvent Rollback = new(
        AlertKind.Rollback, "chat-gpt5", 25, 0, "p95 latency +41 % (limit +30 %)", "n=12 400 / 37 100; p95 2.9 s vs 2.1 s",
        new DateTimeOffset(2026, 11, 26, 9, 30, 0, TimeSpan.Zero));

    /// <summary>
    /// Drains that must finish do so in milliseconds; this budget is only reached by a dispatcher that never does, so
    /// a loaded machine cannot fail them.
    /// </summary>
    private static readonly TimeSpan DrainBudget = TimeSpan.FromSeconds(60);

    /// <summary>
    /// Short back-offs keep the tests quick; the attempt timeout is long, so that only the tests about timeouts (which
    /// set their own, against a webhook that never answers in time) ever see one.
    /// </summary>
    private static AlertOptions Options(Uri uri, AlertWebhookFormat format) => new()
    {
        Webhooks = [new AlertWebhook(uri, format)],
        MaxAttempts = 4,
        InitialBackoff = TimeSpan.FromMilliseconds(20),
        MaxBackoff = TimeSpan.FromMilliseconds(80),
        AttemptTimeout = TimeSpan.FromSeconds(30),
    };

    [Fact]
    public async Task Enqueue_WebhookFailsTwiceThenAccepts_DeliversOnThirdAttempt()
    {
        var calls = 0;
        await using var hook = new HttpStandIn(_ => Interlocked.Increment(ref calls) <= 2 ? new StandInResponse(503, "busy") : new StandInResponse(200, "ok"));
        using var http = new HttpClient();
        var options = Options(hook.Uri, AlertWebhookFormat.Generic);
        var results = new List<WebhookDeliveryResult>();
        await using var dispatcher = new AlertDispatcher(new WebhookSender(http, options, TimeProvider.System), options, (_, _, r) => results.Add(r));

        dispatcher.Enqueue(Rollback);

        Assert.True(await dispatcher.DrainAsync(DrainBudget, TimeProvider.System));
        Assert.Equal(3, hook.Requests.Count);
        Assert.Equal(new WebhookDeliveryResult(true, 3, null), Assert.Single(results));
        Assert.Equal(1, dispatcher.Delivered);
        var request = hook.Requests.Last();
        Assert.Equal("POST", request.Method);
        Assert.Equal("application/json; charset=utf-8", request.ContentType);
        using var body = JsonDocument.Parse(request.Body);
        Assert.Equal("rollback", body.RootElement.GetProperty("event").GetString());
        Assert.Equal("chat-gpt5", body.RootElement.GetProperty("rollout").GetString());
        Assert.Equal(25, body.RootElement.GetProperty("fromWeightPercent").GetDouble());
        Assert.Equal(0, body.RootElement.GetProperty("toWeightPercent").GetDouble());
        Assert.Equal("2026-11-26T09:30:00.000Z", body.RootElement.GetProperty("timestamp").GetString());
    }

    [Fact]
    public async Task Enqueue_WebhookAlwaysDown_GivesUpAfterMaxAttemptsWithoutBlockingCaller()
    {
        // The webhook holds its first answer until the test lets it go: Enqueue must return while it is held.
        using var held = new ManualResetEventSlim();
        await using var hook = new HttpStandIn(_ =>
        {
            held.Wait(TimeSpan.FromSeconds(60));
            return new StandInResponse(500, "down");
        });
        using var http = new HttpClient();
        var options = Options(hook.Uri, AlertWebhookFormat.Slack);
        var results = new List<WebhookDeliveryResult>();
        await using var dispatcher = new AlertDispatcher(new WebhookSender(http, options, TimeProvider.System), options, (_, _, r) => results.Add(r));

        var enqueue = Task.Run(() => dispatcher.Enqueue(Rollback));
        await Eventually.UntilAsync(() => enqueue.IsCompleted, "Enqueue returning while the webhook holds its answer");
        Assert.Empty(results);
        held.Set();

        Assert.True(await dispatcher.DrainAsync(DrainBudget, TimeProvider.System));
        Assert.Equal(4, hook.Requests.Count);
        Assert.Equal(new WebhookDeliveryResult(false, 4, "HTTP 500"), Assert.Single(results));
        Assert.Equal(1, dispatcher.Failed);
    }

    [Fact]
    public async Task Enqueue_WebhookRejects403_DoesNotRetry()
    {
        await using var hook = new HttpStandIn(_ => new StandInResponse(403, "invalid_token"));
        using var http = new HttpClient();
        var options = Options(hook.Uri, AlertWebhookFormat.Slack);
        var results = new List<WebhookDeliveryResult>();
        await using var dispatcher = new AlertDispatcher(new WebhookSender(http, options, TimeProvider.System), options, (_, _, r) => results.Add(r));

        dispatcher.Enqueue(Rollback);

        Assert.True(await dispatcher.DrainAsync(DrainBudget, TimeProvider.System));
        Assert.Equal(new WebhookDeliveryResult(false, 1, "HTTP 403"), Assert.Single(results));
        Assert.Single(hook.Requests);
        Assert.Equal(1, dispatcher.Failed);
    }

    [Fact]
    public async Task Enqueue_WebhookHangs_EachAttemptTimesOut()
    {
        await using var hook = new HttpStandIn(_ => new StandInResponse(200, "late", TimeSpan.FromSeconds(30)));
        using var http = new HttpClient();
        var options = Options(hook.Uri, AlertWebhookFormat.Generic) with { MaxAttempts = 2, AttemptTimeout = TimeSpan.FromMilliseconds(200) };
        var results = new List<WebhookDeliveryResult>();
        await using var dispatcher = new AlertDispatcher(new WebhookSender(http, options, TimeProvider.System), options, (_, _, r) => results.Add(r));

        dispatcher.Enqueue(Rollback);

        Assert.True(await dispatcher.DrainAsync(DrainBudget, TimeProvider.System));
        var result = Assert.Single(results);
        Assert.False(result.Delivered);
        Assert.Equal(2, result.Attempts);
        Assert.Contains("timed out", result.LastError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DrainAsync_BudgetShorterThanDelivery_ReturnsFalse()
    {
        // The webhook answers long after both the budget and any stall of a loaded machine.
        await using var hook = new HttpStandIn(_ => new StandInResponse(200, "late", TimeSpan.FromSeconds(30)));
        using var http = new HttpClient();
        var options = Options(hook.Uri, AlertWebhookFormat.Generic) with { AttemptTimeout = TimeSpan.FromSeconds(60) };
        await using var dispatcher = new AlertDispatcher(new WebhookSender(http, options, TimeProvider.System), options);

        dispatcher.Enqueue(Rollback);

        Assert.False(await dispatcher.DrainAsync(TimeSpan.FromMilliseconds(200), TimeProvider.System));
    }
}
