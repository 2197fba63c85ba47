using System.Globalization;
using Canary.Analyzer.Configuration;
using Canary.Analyzer.Rollouts;
using Microsoft.Extensions.Configuration;

namespace Canary.Analyzer.Alerts;

/// <summary>
/// Reads <see cref="AlertSettings"/> from the <c>Canary:Alerts</c> section: <c>Webhooks:N:Url</c>,
/// <c>Webhooks:N:Format</c> (<c>slack</c> | <c>generic</c>), <c>LongHoldFactor</c>, <c>DrainTimeout</c>,
/// <c>MaxAttempts</c>, <c>AttemptTimeout</c>. Every webhook entry is read, whatever its index; every problem is added
/// to the caller's list, none stops the reading.
/// </summary>
internal static class AlertConfiguration
{
    /// <summary>The keys of the section, relative to <c>Canary</c>, for the unknown-key check.</summary>
    public static readonly string[] KnownKeys =
    [
        "Alerts:Webhooks:*:Url", "Alerts:Webhooks:*:Format", "Alerts:LongHoldFactor", "Alerts:DrainTimeout",
        "Alerts:MaxAttempts", "Alerts:AttemptTimeout",
    ];

    public static AlertSettings Read(IConfigurationSection alerts, List<string> errors)
    {
        ArgumentNullException.ThrowIfNull(alerts);
        ArgumentNullException.ThrowIfNull(errors);
        var webhooks = new List<AlertWebhook>();
        foreach (var entry in alerts.GetSection("Webhooks").GetChildren())
        {
            if (ReadWebhook(entry, errors) is { } webhook)
            {
                webhooks.Add(webhook);
            }
        }

        var defaults = new AlertSettings();
        var factor = defaults.LongHoldFactor;
        var factorKey = alerts.GetSection("LongHoldFactor");
        if (factorKey.Value is { Length: > 0 } factorText
            && (!double.TryParse(factorText, NumberStyles.Float, CultureInfo.InvariantCulture, out factor) || !(factor >= 1)))
        {
            errors.Add($"{SettingName.Of(factorKey.Path)} \"{factorText}\": a number of at least 1");
        }

        var drain = Duration(alerts.GetSection("DrainTimeout"), defaults.DrainTimeout, errors);
        var attemptTimeout = Duration(alerts.GetSection("AttemptTimeout"), defaults.Delivery.AttemptTimeout, errors);
        var attempts = defaults.Delivery.MaxAttempts;
        var attemptsKey = alerts.GetSection("MaxAttempts");
        if (attemptsKey.Value is { Length: > 0 } attemptsText
            && (!int.TryParse(attemptsText, NumberStyles.None, CultureInfo.InvariantCulture, out attempts) || attempts < 1 || attempts > 10))
        {
            errors.Add($"{SettingName.Of(attemptsKey.Path)} \"{attemptsText}\": 1 to 10");
        }

        return new AlertSettings
        {
            Delivery = defaults.Delivery with { Webhooks = webhooks, AttemptTimeout = attemptTimeout, MaxAttempts = attempts },
            LongHoldFactor = factor,
            DrainTimeout = drain,
        };
    }

    private static AlertWebhook? ReadWebhook(IConfigurationSection entry, List<string> errors)
    {
        var urlKey = entry.GetSection("Url");
        var formatKey = entry.GetSection("Format");
        if (string.IsNullOrWhiteSpace(urlKey.Value) && string.IsNullOrEmpty(formatKey.Value))
        {
            // An empty URL alone (an optional Secret left empty) configures no webhook.
            return null;
        }

        var formatText = formatKey.Value is { Length: > 0 } given ? given : "generic";
        AlertWebhookFormat? format = formatText.ToLowerInvariant() switch
        {
            "slack" => AlertWebhookFormat.Slack,
            "generic" or "json" => AlertWebhookFormat.Generic,
            _ => null,
        };
        if (format is null)
        {
            errors.Add($"{SettingName.Of(formatKey.Path)} \"{formatText}\": use slack or generic");
        }

        if (string.IsNullOrWhiteSpace(urlKey.Value))
        {
            errors.Add($"{SettingName.Of(urlKey.Path)}: missing (webhook {entry.Key} has a format but no URL)");
            return null;
        }

        if (!Uri.TryCreate(urlKey.Value.Trim(), UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
        {
            // The URL itself may carry a secret (Slack's does), so it is not echoed.
            errors.Add($"{SettingName.Of(urlKey.Path)}: not an absolute http(s) URL");
            return null;
        }

        return format is null ? null : new AlertWebhook(uri, format.Value);
    }

    private static TimeSpan Duration(IConfigurationSection key, TimeSpan fallback, List<string> errors)
    {
        if (string.IsNullOrEmpty(key.Value))
        {
            return fallback;
        }

        if (ScheduleParser.TryParseDuration(key.Value, out var value) && value > TimeSpan.Zero)
        {
            return value;
        }

        errors.Add($"{SettingName.Of(key.Path)} \"{key.Value}\": a duration like 5s or 1m");
        return fallback;
    }
}
