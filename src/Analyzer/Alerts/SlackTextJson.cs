namespace Canary.Analyzer.Alerts;

/// <summary>A Block Kit text object.</summary>
internal sealed record SlackTextJson(string Type, string Text);
