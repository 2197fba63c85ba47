using Canary.Analyzer.Alerts;

namespace Canary.Analyzer.UnitTests.Alerts;

public sealed class AlertConfigurationTests
{
    private static Func<string, string?> Env(params (string Key, string Value)[] values)
    {
        var map = values.ToDictionary(v => v.Key, v => v.Value);
        return key => map.GetValueOrDefault(key);
    }

    [Fact]
    public void Read_Nothing_NoWebhooksAndDefaults()
    {
        var settings = AlertConfiguration.Read(Env());

        Assert.Empty(settings.Delivery.Webhooks);
        Assert.Equal(2, settings.LongHoldFactor);
        Assert.Equal(TimeSpan.FromSeconds(10), settings.DrainTimeout);
    }

    [Fact]
    public void Read_TwoWebhooksAndLimits_AllRead()
    {
        var settings = AlertConfiguration.Read(Env(
            ("Canary__Alerts__Webhooks__0__Url", "https://hooks.slack.example/T0/B0/secret"),
            ("Canary__Alerts__Webhooks__0__Format", "slack"),
            ("Canary__Alerts__Webhooks__1__Url", "http://pager.internal/canary"),
            ("Canary__Alerts__LongHoldFactor", "3.5"),
            ("Canary__Alerts__DrainTimeout", "30s"),
            ("Canary__Alerts__MaxAttempts", "2"),
            ("Canary__Alerts__AttemptTimeout", "2s")));

        Assert.Equal(
            [new AlertWebhook(new Uri("https://hooks.slack.example/T0/B0/secret"), AlertWebhookFormat.Slack), new AlertWebhook(new Uri("http://pager.internal/canary"), AlertWebhookFormat.Generic)],
            settings.Delivery.Webhooks);
        Assert.Equal(3.5, settings.LongHoldFactor);
        Assert.Equal(TimeSpan.FromSeconds(30), settings.DrainTimeout);
        Assert.Equal(2, settings.Delivery.MaxAttempts);
        Assert.Equal(TimeSpan.FromSeconds(2), settings.Delivery.AttemptTimeout);
    }

    [Fact]
    public void Read_SeveralBadValues_AllReportedWithoutEchoingTheUrl()
    {
        var error = Assert.Throws<ArgumentException>(() => AlertConfiguration.Read(Env(
            ("Canary__Alerts__Webhooks__0__Url", "ftp://secret-token@example"),
            ("Canary__Alerts__Webhooks__0__Format", "teams"),
            ("Canary__Alerts__LongHoldFactor", "0.5"),
            ("Canary__Alerts__DrainTimeout", "soon"))));

        Assert.Contains("Webhooks__0__Url", error.Message, StringComparison.Ordinal);
        Assert.Contains("\"teams\"", error.Message, StringComparison.Ordinal);
        Assert.Contains("LongHoldFactor", error.Message, StringComparison.Ordinal);
        Assert.Contains("DrainTimeout", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("secret-token", error.Message, StringComparison.Ordinal);
    }
}
