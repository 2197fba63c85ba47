using Canary.Contracts.Rollouts;
using Canary.Sidecar.Configuration;
using Canary.Sidecar.Model;
using Npgsql;

namespace Canary.Sidecar.Control;

/// <summary>
/// Reads the desired table from PostgreSQL right after start and then every <c>Canary:Database:PollInterval</c>
/// (default 15 s), applying it when its generation is newer than the one in force. A sidecar that missed a push, or
/// restarted, converges on its own; an unreachable database only delays that (logged once per outage, counted).
/// </summary>
internal sealed class DesiredTablePoller : BackgroundService
{
    private static readonly TimeSpan ReadTimeout = TimeSpan.FromSeconds(10);

    private readonly NpgsqlDataSource _dataSource;
    private readonly RolloutTableHolder _tables;
    private readonly ControlCounters _counters;
    private readonly TimeProvider _timeProvider;
    private readonly TimeSpan _interval;
    private readonly ILogger _logger;
    private bool _failing;
    private long _reportedInvalidGeneration = -1;

    public DesiredTablePoller(DesiredStateOptions options, RolloutTableHolder tables, ControlCounters counters, TimeProvider timeProvider, ILogger<DesiredTablePoller> logger)
    {
        // The slim builder keeps the AOT binary small; the poller only needs integers, text and timestamps.
        _dataSource = new NpgsqlSlimDataSourceBuilder(options.ConnectionString).Build();
        _tables = tables;
        _counters = counters;
        _timeProvider = timeProvider;
        _interval = options.PollInterval;
        _logger = logger;
    }

    public override void Dispose()
    {
        _dataSource.Dispose();
        base.Dispose();
    }

    /// <summary>One read; true when the database answered (whether or not anything was applied).</summary>
    public async Task<bool> PollOnceAsync(CancellationToken cancellationToken)
    {
        // Anything but shutdown counts as the database being unavailable: the poller must outlive any failure.
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(ReadTimeout);
            var row = await DesiredTableStore.ReadAsync(_dataSource, timeout.Token).ConfigureAwait(false);
            _counters.PollSucceeded();
            if (_failing)
            {
                _failing = false;
                ControlLog.PollRecovered(_logger);
            }

            if (row is null)
            {
                return true;
            }

            if (row.Table is null)
            {
                if (row.Generation != _reportedInvalidGeneration)
                {
                    _reportedInvalidGeneration = row.Generation;
                    ControlLog.DesiredTableInvalid(_logger, row.Generation, string.Join("; ", row.Errors));
                }

                return true;
            }

            if (row.Table.Generation > _tables.Current.Generation)
            {
                _tables.TryApply(row.Table, out _, source: TableSource.Database);
            }

            return true;
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested)
        {
            _counters.PollFailed();
            if (!_failing)
            {
                _failing = true;
                ControlLog.PollFailed(_logger, e.Message, _tables.Current.Generation);
            }

            return false;
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        ControlLog.Polling(_logger, _interval);
        await PollOnceAsync(stoppingToken).ConfigureAwait(false);
        using var timer = new PeriodicTimer(_interval, _timeProvider);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
            {
                await PollOnceAsync(stoppingToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }
}
