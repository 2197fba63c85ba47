using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Canary.Analyzer.Alerts;

/// <summary>Writes an <see cref="AlertEvent"/> as a webhook body, with Utf8JsonWriter (no reflection, AOT-safe).</summary>
internal static class AlertPayloadWriter
{
    public static byte[] Write(AlertEvent alert, AlertWebhookFormat format)
    {
        ArgumentNullException.ThrowIfNull(alert);
        var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            if (format == AlertWebhookFormat.Slack)
            {
                WriteSlack(json, alert);
            }
            else
            {
                WriteGeneric(json, alert);
            }
        }

        return buffer.ToArray();
    }

    /// <summary>The one-line summary used as Slack's <c>text</c> (the notification fallback).</summary>
    public static string Headline(AlertEvent alert) => string.Create(
        CultureInfo.InvariantCulture,
        $"{AlertKindNames.Title(alert.Kind)}: {alert.Rollout} {alert.FromWeightPercent:0.##}% → {alert.ToWeightPercent:0.##}% canary. {alert.Reason}");

    private static void WriteGeneric(Utf8JsonWriter json, AlertEvent alert)
    {
        json.WriteStartObject();
        json.WriteString("event", AlertKindNames.WireName(alert.Kind));
        json.WriteString("rollout", alert.Rollout);
        json.WriteNumber("fromWeightPercent", alert.FromWeightPercent);
        json.WriteNumber("toWeightPercent", alert.ToWeightPercent);
        json.WriteString("reason", alert.Reason);
        json.WriteString("evidence", alert.EvidenceSummary);
        json.WriteString("timestamp", alert.Timestamp.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture));
        json.WriteEndObject();
    }

    private static void WriteSlack(Utf8JsonWriter json, AlertEvent alert)
    {
        json.WriteStartObject();
        json.WriteString("text", SlackEscape(Headline(alert)));
        json.WriteStartArray("blocks");

        json.WriteStartObject();
        json.WriteString("type", "section");
        json.WriteStartObject("text");
        json.WriteString("type", "mrkdwn");
        json.WriteString("text", string.Create(
            CultureInfo.InvariantCulture,
            $"*{AlertKindNames.Title(alert.Kind)}: {SlackEscape(alert.Rollout)}*\nCanary weight {alert.FromWeightPercent:0.##}% → {alert.ToWeightPercent:0.##}%\n{SlackEscape(alert.Reason)}"));
        json.WriteEndObject();
        json.WriteEndObject();

        if (!string.IsNullOrEmpty(alert.EvidenceSummary))
        {
            json.WriteStartObject();
            json.WriteString("type", "context");
            json.WriteStartArray("elements");
            json.WriteStartObject();
            json.WriteString("type", "mrkdwn");
            json.WriteString("text", SlackEscape(alert.EvidenceSummary));
            json.WriteEndObject();
            json.WriteEndArray();
            json.WriteEndObject();
        }

        json.WriteEndArray();
        json.WriteEndObject();
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
