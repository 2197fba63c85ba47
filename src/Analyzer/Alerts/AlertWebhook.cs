namespace Canary.Analyzer.Alerts;

/// <summary>One webhook target.</summary>
internal sealed record AlertWebhook(Uri Uri, AlertWebhookFormat Format);
