using System.Threading.Channels;

namespace Canary.Analyzer.Alerts;

/// <summary>
/// Delivers alerts from a bounded background queue, so a slow or failing webhook never blocks or changes a
/// decision: <see cref="Enqueue"/> returns at once, and when the queue is full the oldest event is dropped and
/// counted. <see cref="DrainAsync"/> gives a short-lived process (run-once) a bounded wait before it exits.
/// </summary>
internal sealed class AlertDispatcher : IAsyncDisposable
{
    private readonly Channel<AlertEvent> _queue;
    private readonly AlertOptions _options;
    private readonly WebhookSender _sender;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _worker;
    private readonly Action<AlertEvent, AlertWebhook, WebhookDeliveryResult>? _onResult;
    private long _pending;
    private long _delivered;
    private long _failed;
    private long _dropped;

    public AlertDispatcher(WebhookSender sender, AlertOptions options, Action<AlertEvent, AlertWebhook, WebhookDeliveryResult>? onResult = null)
    {
        ArgumentNullException.ThrowIfNull(sender);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.QueueCapacity, 1);
        foreach (var webhook in options.Webhooks)
        {
            if (!webhook.Uri.IsAbsoluteUri || (webhook.Uri.Scheme != Uri.UriSchemeHttps && webhook.Uri.Scheme != Uri.UriSchemeHttp))
            {
                throw new ArgumentException($"Alert webhook '{webhook.Uri}' is not an absolute http(s) URL.", nameof(options));
            }
        }

        _sender = sender;
        _options = options;
        _onResult = onResult;
        _queue = Channel.CreateBounded<AlertEvent>(
            new BoundedChannelOptions(options.QueueCapacity) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true },
            dropped =>
            {
                Interlocked.Increment(ref _dropped);
                Interlocked.Decrement(ref _pending);
            });
        _worker = Task.Run(RunAsync);
    }

    /// <summary>Deliveries that succeeded, per webhook.</summary>
    public long Delivered => Interlocked.Read(ref _delivered);

    /// <summary>Deliveries abandoned after the last attempt, per webhook.</summary>
    public long Failed => Interlocked.Read(ref _failed);

    /// <summary>Events pushed out of a full queue before delivery.</summary>
    public long Dropped => Interlocked.Read(ref _dropped);

    /// <summary>Queues the event and returns at once; never throws for delivery problems.</summary>
    public void Enqueue(AlertEvent alert)
    {
        ArgumentNullException.ThrowIfNull(alert);
        if (_options.Webhooks.Count == 0)
        {
            return;
        }

        Interlocked.Increment(ref _pending);
        if (!_queue.Writer.TryWrite(alert))
        {
            Interlocked.Decrement(ref _pending);
            Interlocked.Increment(ref _dropped);
        }
    }

    /// <summary>Waits until every queued event has been handled, or the budget is spent; true when drained.</summary>
    public async Task<bool> DrainAsync(TimeSpan budget, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(time);
        var deadline = time.GetTimestamp() + (long)(budget.TotalSeconds * time.TimestampFrequency);
        while (Interlocked.Read(ref _pending) > 0)
        {
            if (time.GetTimestamp() >= deadline)
            {
                return false;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(10), time).ConfigureAwait(false);
        }

        return true;
    }

    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        await _stop.CancelAsync().ConfigureAwait(false);
        try
        {
            await _worker.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }

        _stop.Dispose();
    }

    private async Task RunAsync()
    {
        await foreach (var alert in _queue.Reader.ReadAllAsync(_stop.Token).ConfigureAwait(false))
        {
            try
            {
                foreach (var webhook in _options.Webhooks)
                {
                    var result = await _sender.SendAsync(webhook.Uri, AlertPayloadWriter.Write(alert, webhook.Format), _stop.Token).ConfigureAwait(false);
                    Interlocked.Increment(ref result.Delivered ? ref _delivered : ref _failed);
                    _onResult?.Invoke(alert, webhook, result);
                }
            }
            finally
            {
                // Decrement even when shutting down mid-delivery, so DrainAsync never waits for an event nobody handles.
                Interlocked.Decrement(ref _pending);
            }
        }
    }
}
