using Canary.Analyzer.Alerts;
using Canary.Analyzer.Configuration;

namespace Canary.Analyzer.UnitTests.Alerts;

public sealed class AlertConfigurationTests
{
    /// <summary>The section the analyzer's configuration pipeline gives the alerts, from these environment variables.</summary>
    private static Microsoft.Extensions.Configuration.IConfigurationSection Env(params (string Key, string Value)[] values) =>
        AnalyzerConfiguration.Build(values.ToDictionary(v => v.Key, v => v.Value), []).GetSection("Canary:Alerts");

    private static AlertSettings Read(Microsoft.Extensions.Configuration.IConfigurationSection section)
    {
        var errors = new List<string>();
        var settings = AlertConfiguration.Read(section, errors);
        Assert.Empty(errors);
        return settings;
    }

    private static string Errors(Microsoft.Extensions.Configuration.IConfigurationSection section)
    {
        var errors = new List<string>();
        AlertConfiguration.Read(section, errors);
        Assert.NotEmpty(errors);
        return string.Join("\n", errors);
    }

    [Fact]
    public void Read_Nothing_NoWebhooksAndDefaults()
    {
        var settings = Read(Env());

        Assert.Empty(settings.Delivery.Webhooks);
        Assert.Equal(2, settings.LongHoldFactor);
        Assert.Equal(TimeSpan.FromSeconds(10), settings.DrainTimeout);
    }

    [Fact]
    public void Read_TwoWebhooksAndLimits_AllRead()
    {
        var settings = Read(Env(
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
        var error = Errors(Env(
            ("Canary__Alerts__Webhooks__0__Url", "ftp://secret-token@example"),
            ("Canary__Alerts__Webhooks__0__Format", "teams"),
            ("Canary__Alerts__LongHoldFactor", "0.5"),
            ("Canary__Alerts__DrainTimeout", "soon")));

        Assert.Contains("Webhooks__0__Url", error, StringComparison.Ordinal);
        Assert.Contains("\"teams\"", error, StringComparison.Ordinal);
        Assert.Contains("LongHoldFactor", error, StringComparison.Ordinal);
        Assert.Contains("DrainTimeout", error, StringComparison.Ordinal);
        Assert.DoesNotContain("secret-token", error, StringComparison.Ordinal);
    }
}
