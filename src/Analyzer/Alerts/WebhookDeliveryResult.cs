namespace Canary.Analyzer.Alerts;

/// <summary>How one event went to one webhook: delivered or not, after how many attempts, and the last error.</summary>
internal readonly record struct WebhookDeliveryResult(bool Delivered, int Attempts, string? LastError);
