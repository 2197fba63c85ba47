namespace Canary.Analyzer.Alerts;

/// <summary>Webhook targets and the bounds on delivering to them.</summary>
internal sealed record AlertOptions
{
    public IReadOnlyList<AlertWebhook> Webhooks { get; init; } = [];

    /// <summary>Attempts per webhook and event, the first included.</summary>
    public int MaxAttempts { get; init; } = 4;

    /// <summary>Wait before the second attempt; doubles each time, capped at <see cref="MaxBackoff"/>.</summary>
    public TimeSpan InitialBackoff { get; init; } = TimeSpan.FromMilliseconds(500);

    public TimeSpan MaxBackoff { get; init; } = TimeSpan.FromSeconds(8);

    /// <summary>Timeout of one HTTP attempt.</summary>
    public TimeSpan AttemptTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Events waiting for delivery; when full, the oldest is dropped and counted.</summary>
    public int QueueCapacity { get; init; } = 256;
}
