namespace Canary.Analyzer.Alerts;

/// <summary>The <c>slack</c> webhook body: the notification text and Block Kit blocks (Slack, Mattermost, Rocket.Chat).</summary>
internal sealed record SlackMessageJson(string Text, IReadOnlyList<SlackBlockJson> Blocks);
