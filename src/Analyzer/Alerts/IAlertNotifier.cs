using Canary.Analyzer.Rollouts;

namespace Canary.Analyzer.Alerts;

/// <summary>Sends the alerts of finished runs; <see cref="AlertNotifier"/> to the configured webhooks.</summary>
internal interface IAlertNotifier
{
    /// <summary>Plans, claims and queues the alerts of <paramref name="outcome"/>; returns how many were queued. Never throws but for cancellation.</summary>
    Task<int> NotifyAsync(RunOutcome outcome, CancellationToken cancellationToken);

    /// <summary>Waits, at most the configured drain timeout, for queued alerts; false when some were still pending.</summary>
    Task<bool> DrainAsync();
}
