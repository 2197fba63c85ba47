using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Canary.Analyzer.Alerts;

/// <summary>Writes an <see cref="AlertEvent"/> as a webhook body, through <see cref="AlertsJsonContext"/>.</summary>
internal static class AlertPayloadWriter
{
    public static byte[] Write(AlertEvent alert, AlertWebhookFormat format)
    {
        ArgumentNullException.ThrowIfNull(alert);
        return format == AlertWebhookFormat.Slack
            ? JsonSerializer.SerializeToUtf8Bytes(Slack(alert), AlertsJsonContext.Default.SlackMessageJson)
            : JsonSerializer.SerializeToUtf8Bytes(Generic(alert), AlertsJsonContext.Default.GenericAlertJson);
    }

    /// <summary>The one-line summary used as Slack's <c>text</c> (the notification fallback).</summary>
    public static string Headline(AlertEvent alert) => string.Create(
        CultureInfo.InvariantCulture,
        $"{AlertKindNames.Title(alert.Kind)}: {alert.Rollout} {alert.FromWeightPercent:0.##}% → {alert.ToWeightPercent:0.##}% canary. {alert.Reason}");

    private static GenericAlertJson Generic(AlertEvent alert) => new(
        AlertKindNames.WireName(alert.Kind),
        alert.Rollout,
        alert.FromWeightPercent,
        alert.ToWeightPercent,
        alert.Reason,
        alert.EvidenceSummary,
        alert.Timestamp.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture));

    private static SlackMessageJson Slack(AlertEvent alert)
    {
        var section = new SlackBlockJson("section", Text: new SlackTextJson("mrkdwn", string.Create(
            CultureInfo.InvariantCulture,
            $"*{AlertKindNames.Title(alert.Kind)}: {SlackEscape(alert.Rollout)}*\nCanary weight {alert.FromWeightPercent:0.##}% → {alert.ToWeightPercent:0.##}%\n{SlackEscape(alert.Reason)}")));
        SlackBlockJson[] blocks = string.IsNullOrEmpty(alert.EvidenceSummary)
            ? [section]
            : [section, new SlackBlockJson("context", Elements: [new SlackTextJson("mrkdwn", SlackEscape(alert.EvidenceSummary))])];
        return new SlackMessageJson(SlackEscape(Headline(alert)), blocks);
    }

    /// <summary>Slack reads &amp;, &lt; and &gt; as control characters in message text; everything else is literal.</summary>
    private static string SlackEscape(string text)
    {
        if (text.AsSpan().IndexOfAny('&', '<', '>') < 0)
        {
            return text;
        }

        var builder = new StringBuilder(text.Length + 16);
        foreach (var c in text)
        {
            _ = c switch
            {
                '&' => builder.Append("&amp;"),
                '<' => builder.Append("&lt;"),
                '>' => builder.Append("&gt;"),
                _ => builder.Append(c),
            };
        }

        return builder.ToString();
    }
}
