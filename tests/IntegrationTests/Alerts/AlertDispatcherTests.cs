using System.Text.Json;
using Canary.Analyzer.Alerts;
using Canary.IntegrationTests.StandIns;
using Microsoft.Extensions.Time.Testing;

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

    private static AlertOptions Options(Uri uri, AlertWebhookFormat format) => new()
    {
        Webhooks = [new AlertWebhook(uri, format)],
        MaxAttempts = 4,
        InitialBackoff = TimeSpan.FromMilliseconds(20),
        MaxBackoff = TimeSpan.FromMilliseconds(80),
        // Far beyond any answer of the stand-in, so an attempt counts as timed out only where a test makes it hang: a cold
        // first request on a busy machine must not turn into an extra attempt.
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
        // The hook answers nothing until the test lets it (and no attempt times out before): an Enqueue that waited for
        // the delivery could not return with the delivery still unhandled.
        using var answer = new ManualResetEventSlim();
        await using var hook = new HttpStandIn(_ =>
        {
            answer.Wait(TimeSpan.FromSeconds(30));
            return new StandInResponse(500, "down");
        });
        using var http = new HttpClient();
        var options = Options(hook.Uri, AlertWebhookFormat.Slack);
        var results = new List<WebhookDeliveryResult>();
        await using var dispatcher = new AlertDispatcher(new WebhookSender(http, options, TimeProvider.System), options, (_, _, r) => results.Add(r));

        dispatcher.Enqueue(Rollback);
        var handledBeforeAnswer = dispatcher.Delivered + dispatcher.Failed;
        answer.Set();

        Assert.True(await dispatcher.DrainAsync(DrainBudget, TimeProvider.System));
        Assert.Equal(0, handledBeforeAnswer);
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
        // The delivery is held until the drain has returned, and the budget is spent on the test's clock, not the machine's.
        using var answer = new ManualResetEventSlim();
        await using var hook = new HttpStandIn(_ =>
        {
            answer.Wait(TimeSpan.FromSeconds(30));
            return new StandInResponse(200, "late");
        });
        using var http = new HttpClient();
        var options = Options(hook.Uri, AlertWebhookFormat.Generic);
        await using var dispatcher = new AlertDispatcher(new WebhookSender(http, options, TimeProvider.System), options);
        var time = new FakeTimeProvider();

        dispatcher.Enqueue(Rollback);
        var drain = dispatcher.DrainAsync(TimeSpan.FromMilliseconds(200), time);
        time.Advance(TimeSpan.FromMilliseconds(200));
        var drained = await drain;
        answer.Set();

        Assert.False(drained);
    }
}
