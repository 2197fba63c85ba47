using System.Globalization;
using Canary.Analyzer.Rollouts;

namespace Canary.Analyzer.Alerts;

/// <summary>
/// Reads <see cref="AlertSettings"/> from environment-style keys (the same names as the <c>Canary</c> configuration
/// section, with <c>__</c> separators), so the chart sets them as plain env vars:
/// <c>Canary__Alerts__Webhooks__0__Url</c>, <c>Canary__Alerts__Webhooks__0__Format</c> (<c>slack</c> | <c>generic</c>),
/// <c>Canary__Alerts__LongHoldFactor</c>, <c>Canary__Alerts__DrainTimeout</c>, <c>Canary__Alerts__MaxAttempts</c>,
/// <c>Canary__Alerts__AttemptTimeout</c>. Every problem is reported at once, as an <see cref="ArgumentException"/>.
/// </summary>
internal static class AlertConfiguration
{
    private const string Prefix = "Canary__Alerts__";

    /// <summary>Webhooks are read at indexes 0, 1, … until the first missing URL.</summary>
    public static AlertSettings Read(Func<string, string?> get)
    {
        ArgumentNullException.ThrowIfNull(get);
        var errors = new List<string>();
        var webhooks = new List<AlertWebhook>();
        for (var i = 0; ; i++)
        {
            var url = get($"{Prefix}Webhooks__{i}__Url");
            if (string.IsNullOrWhiteSpace(url))
            {
                break;
            }

            var formatText = get($"{Prefix}Webhooks__{i}__Format") ?? "generic";
            AlertWebhookFormat? format = formatText.ToLowerInvariant() switch
            {
                "slack" => AlertWebhookFormat.Slack,
                "generic" or "json" => AlertWebhookFormat.Generic,
                _ => null,
            };
            if (format is null)
            {
                errors.Add($"{Prefix}Webhooks__{i}__Format \"{formatText}\": use slack or generic");
            }

            if (!Uri.TryCreate(url.Trim(), UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
            {
                // The URL itself may carry a secret (Slack's does), so it is not echoed.
                errors.Add($"{Prefix}Webhooks__{i}__Url: not an absolute http(s) URL");
                continue;
            }

            webhooks.Add(new AlertWebhook(uri, format ?? AlertWebhookFormat.Generic));
        }

        var defaults = new AlertSettings();
        var factor = defaults.LongHoldFactor;
        if (get(Prefix + "LongHoldFactor") is { Length: > 0 } factorText
            && (!double.TryParse(factorText, NumberStyles.Float, CultureInfo.InvariantCulture, out factor) || !(factor >= 1)))
        {
            errors.Add($"{Prefix}LongHoldFactor \"{factorText}\": a number of at least 1");
        }

        var drain = Duration(get, "DrainTimeout", defaults.DrainTimeout, errors);
        var attemptTimeout = Duration(get, "AttemptTimeout", defaults.Delivery.AttemptTimeout, errors);
        var attempts = defaults.Delivery.MaxAttempts;
        if (get(Prefix + "MaxAttempts") is { Length: > 0 } attemptsText
            && (!int.TryParse(attemptsText, NumberStyles.None, CultureInfo.InvariantCulture, out attempts) || attempts < 1 || attempts > 10))
        {
            errors.Add($"{Prefix}MaxAttempts \"{attemptsText}\": 1 to 10");
        }

        if (errors.Count > 0)
        {
            throw new ArgumentException("alert configuration: " + string.Join("; ", errors));
        }

        return new AlertSettings
        {
            Delivery = defaults.Delivery with { Webhooks = webhooks, AttemptTimeout = attemptTimeout, MaxAttempts = attempts },
            LongHoldFactor = factor,
            DrainTimeout = drain,
        };
    }

    private static TimeSpan Duration(Func<string, string?> get, string name, TimeSpan fallback, List<string> errors)
    {
        var text = get(Prefix + name);
        if (string.IsNullOrEmpty(text))
        {
            return fallback;
        }

        if (ScheduleParser.TryParseDuration(text, out var value) && value > TimeSpan.Zero)
        {
            return value;
        }

        errors.Add($"{Prefix}{name} \"{text}\": a duration like 5s or 1m");
        return fallback;
    }
}
