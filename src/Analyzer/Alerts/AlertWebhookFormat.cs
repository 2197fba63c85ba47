namespace Canary.Analyzer.Alerts;

/// <summary>The body shape a webhook expects.</summary>
internal enum AlertWebhookFormat
{
    /// <summary>Slack incoming-webhook body: <c>text</c> plus blocks (also accepted by Mattermost and Rocket.Chat).</summary>
    Slack,

    /// <summary>A flat JSON object with the event's fields, for anything else.</summary>
    Generic,
}
