using Canary.Analyzer.Rollouts;
using Npgsql;
using NpgsqlTypes;

namespace Canary.Analyzer.Alerts;

/// <summary>
/// Sends the alerts of a finished run. Called only after the run's transaction committed, it never throws and never
/// waits for a webhook: once-per-stage alerts are claimed in <c>rollout_alerts</c> (so repeated CronJob runs send them
/// once), then everything is queued on the <see cref="AlertDispatcher"/>. Failures are written to the log and counted.
/// </summary>
internal sealed class AlertNotifier : IAlertNotifier, IAsyncDisposable
{
    private readonly NpgsqlDataSource _dataSource;
    private readonly AlertSettings _settings;
    private readonly TimeProvider _time;
    private readonly TextWriter _log;
    private readonly HttpClient _http = new();
    private readonly AlertDispatcher _dispatcher;
    private long _claimFailures;

    public AlertNotifier(NpgsqlDataSource dataSource, AlertSettings settings, TimeProvider time, TextWriter log)
    {
        _dataSource = dataSource;
        _settings = settings;
        _time = time;
        _log = log;
        _dispatcher = new AlertDispatcher(new WebhookSender(_http, settings.Delivery, time), settings.Delivery, OnResult);
    }

    public bool Enabled => _settings.Delivery.Webhooks.Count > 0;

    /// <summary>Deliveries that succeeded (one per event and webhook).</summary>
    public long Delivered => _dispatcher.Delivered;

    /// <summary>Deliveries abandoned after the last attempt, plus events dropped from a full queue.</summary>
    public long Failed => _dispatcher.Failed + _dispatcher.Dropped;

    /// <summary>Once-per-stage alerts not sent because PostgreSQL could not record the claim.</summary>
    public long ClaimFailures => Interlocked.Read(ref _claimFailures);

    /// <summary>Plans, claims and queues the alerts of <paramref name="outcome"/>; returns how many were queued.</summary>
    public async Task<int> NotifyAsync(RunOutcome outcome, CancellationToken cancellationToken)
    {
        if (!Enabled)
        {
            return 0;
        }

        var queued = 0;
        try
        {
            foreach (var alert in AlertRules.Plan(outcome, _settings, _time.GetUtcNow()))
            {
                if (alert.OncePerStage is { } stage && !await ClaimAsync(alert.Event, stage, cancellationToken).ConfigureAwait(false))
                {
                    continue;
                }

                _dispatcher.Enqueue(alert.Event);
                queued++;
            }
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            _log.WriteLine($"canary-analyzer: alerts of this run not sent ({e.GetType().Name}: {e.Message}); the decision stands");
        }

        return queued;
    }

    /// <summary>Waits, at most the configured drain timeout, for queued alerts; a short-lived run calls this before exiting.</summary>
    public async Task<bool> DrainAsync()
    {
        var drained = await _dispatcher.DrainAsync(_settings.DrainTimeout, _time).ConfigureAwait(false);
        if (!drained)
        {
            _log.WriteLine($"canary-analyzer: alert delivery still pending after {_settings.DrainTimeout.TotalSeconds:0.#} s; those alerts are lost");
        }

        return drained;
    }

    public async ValueTask DisposeAsync()
    {
        await _dispatcher.DisposeAsync().ConfigureAwait(false);
        _http.Dispose();
    }

    private async Task<bool> ClaimAsync(AlertEvent alert, AlertStageKey stage, CancellationToken cancellationToken)
    {
        try
        {
            await using var command = _dataSource.CreateCommand(
                "INSERT INTO rollout_alerts (rollout, kind, stage_index, stage_started_at, claimed_at) VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING");
            command.Parameters.Add(new NpgsqlParameter { Value = alert.Rollout, NpgsqlDbType = NpgsqlDbType.Text });
            command.Parameters.Add(new NpgsqlParameter { Value = AlertKindNames.WireName(alert.Kind), NpgsqlDbType = NpgsqlDbType.Text });
            command.Parameters.Add(new NpgsqlParameter { Value = stage.StageIndex, NpgsqlDbType = NpgsqlDbType.Integer });
            command.Parameters.Add(new NpgsqlParameter { Value = stage.StageStartedAt.UtcDateTime, NpgsqlDbType = NpgsqlDbType.TimestampTz });
            command.Parameters.Add(new NpgsqlParameter { Value = _time.GetUtcNow().UtcDateTime, NpgsqlDbType = NpgsqlDbType.TimestampTz });
            return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 1;
        }
        catch (NpgsqlException e)
        {
            // Without the claim the next run would send it again and again; skip it and let the next run claim it.
            Interlocked.Increment(ref _claimFailures);
            _log.WriteLine($"canary-analyzer: {AlertKindNames.WireName(alert.Kind)} alert for {alert.Rollout} not sent: could not record it ({e.Message})");
            return false;
        }
    }

    private void OnResult(AlertEvent alert, AlertWebhook webhook, WebhookDeliveryResult result)
    {
        if (!result.Delivered)
        {
            // Only the host: a webhook URL's path often is the secret (Slack, Teams).
            _log.WriteLine($"canary-analyzer: {AlertKindNames.WireName(alert.Kind)} alert for {alert.Rollout} to {webhook.Uri.Host} failed after {result.Attempts} attempt(s): {result.LastError}");
        }
    }
}
