using System.Threading.Channels;
using Canary.Contracts.Telemetry;
using Canary.Contracts.Telemetry.Storage;
using Canary.Sidecar.Telemetry.Recording;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Canary.Sidecar.Persistence;

/// <summary>
/// Every flush interval, takes every arm's interval into a <see cref="TelemetryBatch"/> and writes it to PostgreSQL;
/// arms idle for <see cref="PersistenceOptions.ArmIdleTimeout"/> hand their recorders back in the same step.
/// </summary>
/// <remarks>
/// Collecting and writing are separate loops joined by a bounded queue, so an outage or a slow database never delays
/// the interval swap (which would let one interval grow without limit). While PostgreSQL is unreachable the writer
/// retries the oldest batch with exponential backoff; when the queue is full the oldest queued batch is forced out,
/// released and counted in <see cref="PersistenceStatus"/>. On shutdown the last partial interval is collected and the
/// queue drained until the host's shutdown timeout; what is still unwritten then is counted as lost at shutdown.
/// </remarks>
internal sealed class TelemetryFlusher : BackgroundService
{
    /// <summary>Recorders handed back since the last full collection that make one worth it (about eight arms).</summary>
    internal const long CollectAfterHandedBackBytes = 2 * 1024 * 1024;


    private readonly TelemetryCollector _collector;
    private readonly TelemetryRowWriter _writer;
    private readonly NpgsqlDataSource _dataSource;
    private readonly PersistenceOptions _options;
    private readonly PersistenceStatus _status;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger<TelemetryFlusher> _logger;
    private readonly Channel<TelemetryBatch> _queue;
    private readonly Lock _collectLock = new();
    private DateTime _intervalStart;
    private TelemetryBatch? _inFlight;
    private PeriodicTimer? _timer;
    private volatile bool _schemaReady;
    private long _handedBackSinceCollection;
    private long _lastCollectionTimestamp;

    public TelemetryFlusher(
        TelemetryRegistry registry,
        NpgsqlDataSource dataSource,
        IOptions<PersistenceOptions> options,
        PersistenceStatus status,
        TimeProvider timeProvider,
        ILogger<TelemetryFlusher> logger)
    {
        _options = options.Value;
        _collector = new TelemetryCollector(registry, _options.SidecarId, _options.ArmIdleTimeout);
        _writer = new TelemetryRowWriter(dataSource);
        _dataSource = dataSource;
        _status = status;
        _timeProvider = timeProvider;
        _logger = logger;
        _schemaReady = !_options.ApplyMigrations;
        _intervalStart = Now();
        _queue = Channel.CreateBounded<TelemetryBatch>(
            new BoundedChannelOptions(_options.MaxQueuedIntervals)
            {
                FullMode = BoundedChannelFullMode.DropOldest,
                SingleWriter = true,
                SingleReader = false,
            },
            OnDropped);
    }

    public override Task StartAsync(CancellationToken cancellationToken)
    {
        // The timer starts with the first interval, not when ExecuteAsync happens to be scheduled on the thread pool.
        lock (_collectLock)
        {
            _intervalStart = Now();
            _timer = new PeriodicTimer(_options.FlushInterval, _timeProvider);
        }

        return base.StartAsync(cancellationToken);
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken).ConfigureAwait(false);
        CollectInterval();
        await DrainAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Closes the current interval and queues it; false when nothing happened in it (nothing is queued).</summary>
    internal bool CollectInterval()
    {
        lock (_collectLock)
        {
            var now = Now();
            var milliseconds = (int)Math.Clamp(Math.Round((now - _intervalStart).TotalMilliseconds), 1, int.MaxValue);
            var handedBack = _collector.ArmsHandedBack;
            var handedBackBytes = _collector.BytesHandedBack;
            var batch = _collector.Collect(_intervalStart, milliseconds);
            _status.OnArmsHandedBack(_collector.ArmsHandedBack - handedBack);
            ReturnHandedBackMemory(_collector.BytesHandedBack - handedBackBytes);
            _intervalStart = now;
            if (batch.IsEmpty)
            {
                batch.Release();
                return false;
            }

            _status.OnCollected();
            _queue.Writer.TryWrite(batch);
            return true;
        }
    }

    /// <summary>
    /// Handed-back recorders are old objects: the garbage collector frees them only in a full collection, which under
    /// steady traffic may not come for a long time, and until then their memory and the new recorders' both count in
    /// RSS (measured: a sidecar whose traffic moved between sets of rollouts grew from 55 to 82 MiB, and stayed at
    /// 55-57 MiB with this collection; bench/README.md). So once enough was handed back, one compacting full
    /// collection returns it, at most once per <see cref="PersistenceOptions.ArmIdleTimeout"/> (an arm must have been
    /// idle that long to be handed back at all); its pause is that of a heap of a few tens of MB.
    /// </summary>
    private void ReturnHandedBackMemory(long bytes)
    {
        _handedBackSinceCollection += bytes;
        if (_handedBackSinceCollection < CollectAfterHandedBackBytes
            || (_lastCollectionTimestamp != 0 && _timeProvider.GetElapsedTime(_lastCollectionTimestamp) < _options.ArmIdleTimeout))
        {
            return;
        }

        _handedBackSinceCollection = 0;
        _lastCollectionTimestamp = _timeProvider.GetTimestamp();
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
        _status.OnFullCollectionAfterHandBack();
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await Task.WhenAll(TickAsync(stoppingToken), WriteLoopAsync(stoppingToken)).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutdown; StopAsync collects the last interval and drains the queue.
        }
    }

    public override void Dispose()
    {
        _timer?.Dispose();
        base.Dispose();
    }

    private async Task TickAsync(CancellationToken stoppingToken)
    {
        var timer = _timer ?? throw new InvalidOperationException("StartAsync creates the timer.");
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
        {
            CollectInterval();
        }
    }

    private async Task WriteLoopAsync(CancellationToken stoppingToken)
    {
        await EnsureSchemaAsync(stoppingToken).ConfigureAwait(false);
        var reader = _queue.Reader;
        while (await reader.WaitToReadAsync(stoppingToken).ConfigureAwait(false))
        {
            while (reader.TryRead(out var batch))
            {
                _inFlight = batch;
                await WriteWithRetryAsync(batch, stoppingToken).ConfigureAwait(false);
                _inFlight = null;
            }
        }
    }

    private async Task DrainAsync(CancellationToken cancellationToken)
    {
        try
        {
            await EnsureSchemaAsync(cancellationToken).ConfigureAwait(false);
            if (_inFlight is { } inFlight)
            {
                await WriteWithRetryAsync(inFlight, cancellationToken).ConfigureAwait(false);
                _inFlight = null;
            }

            while (_queue.Reader.TryRead(out var batch))
            {
                _inFlight = batch;
                await WriteWithRetryAsync(batch, cancellationToken).ConfigureAwait(false);
                _inFlight = null;
            }
        }
        catch (Exception) when (cancellationToken.IsCancellationRequested)
        {
            var lost = 0;
            if (_inFlight is { } inFlight)
            {
                _inFlight = null;
                Lose(inFlight);
                lost++;
            }

            while (_queue.Reader.TryRead(out var batch))
            {
                Lose(batch);
                lost++;
            }

            PersistenceLog.LostAtShutdown(_logger, lost);
        }
    }

    private async Task WriteWithRetryAsync(TelemetryBatch batch, CancellationToken cancellationToken)
    {
        var delay = _options.InitialRetryDelay;
        var failures = 0;
        while (true)
        {
            try
            {
                await _writer.WriteAsync(batch.Histograms, batch.Counters, cancellationToken).ConfigureAwait(false);
                _status.OnWritten();
                batch.Release();
                if (failures > 0)
                {
                    PersistenceLog.WriteRecovered(_logger, failures);
                }

                return;
            }
            catch (Exception exception) when (!cancellationToken.IsCancellationRequested)
            {
                failures++;
                _status.OnWriteFailed();
                PersistenceLog.WriteFailed(_logger, batch.IntervalStartUtc, failures, delay, exception);
                await Task.Delay(delay, _timeProvider, cancellationToken).ConfigureAwait(false);
                delay = Min(delay * 2, _options.MaxRetryDelay);
            }
        }
    }

    private async Task EnsureSchemaAsync(CancellationToken cancellationToken)
    {
        var delay = _options.InitialRetryDelay;
        var attempt = 0;
        while (!_schemaReady)
        {
            try
            {
                var result = await SchemaMigrator.MigrateAsync(_dataSource, cancellationToken).ConfigureAwait(false);
                _schemaReady = true;
                PersistenceLog.SchemaReady(_logger, result.CurrentVersion, result.Applied);
            }
            catch (Exception exception) when (!cancellationToken.IsCancellationRequested)
            {
                attempt++;
                PersistenceLog.MigrationFailed(_logger, attempt, delay, exception);
                await Task.Delay(delay, _timeProvider, cancellationToken).ConfigureAwait(false);
                delay = Min(delay * 2, _options.MaxRetryDelay);
            }
        }
    }

    private void OnDropped(TelemetryBatch batch)
    {
        _status.OnDropped(batch.RowCount);
        PersistenceLog.IntervalDropped(_logger, batch.IntervalStartUtc, batch.RowCount, _status.IntervalsDropped);
        batch.Release();
    }

    private void Lose(TelemetryBatch batch)
    {
        _status.OnLostAtShutdown();
        batch.Release();
    }

    // PostgreSQL keeps microseconds; truncating here makes the stored key equal the batch's key exactly.
    private DateTime Now()
    {
        var now = _timeProvider.GetUtcNow().UtcDateTime;
        return new DateTime(now.Ticks - (now.Ticks % 10), DateTimeKind.Utc);
    }

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;
}
