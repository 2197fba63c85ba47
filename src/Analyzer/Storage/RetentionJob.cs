using Canary.Contracts.Telemetry.Storage;
using Npgsql;

namespace Canary.Analyzer.Storage;

/// <summary>
/// Deletes raw interval rows older than <see cref="StorageMaintenanceOptions.RawRetention"/>, only of hours that are in
/// the compaction ledger (their hourly rows hold the same data), so uncompacted telemetry is never lost.
/// </summary>
/// <remarks>
/// Rows written after their hour was compacted (a sidecar flushing very late) are not in the hourly rows; they are kept
/// (written_at after compacted_at) rather than deleted unseen.
/// </remarks>
internal sealed class RetentionJob
{
    private static readonly string[] RawTables = [TelemetryTier.Raw.HistogramTable, TelemetryTier.Raw.CounterTable];
    private static readonly string[] SliceTables = [TelemetryTier.Slices.HistogramTable, TelemetryTier.Slices.CounterTable, TelemetryTier.Slices.LedgerTable!];

    private readonly NpgsqlDataSource _dataSource;
    private readonly TimeProvider _timeProvider;
    private readonly StorageMaintenanceOptions _options;

    public RetentionJob(NpgsqlDataSource dataSource, TimeProvider timeProvider, StorageMaintenanceOptions options)
    {
        _dataSource = dataSource;
        _timeProvider = timeProvider;
        _options = options;
    }

    /// <summary>Hours ending at or before this time may lose their raw rows.</summary>
    public DateTimeOffset Cutoff => TelemetryHours.Floor(_timeProvider.GetUtcNow() - _options.RawRetention);

    /// <summary>
    /// Deletes the expired raw rows and the five-minute slices of the same hours (the hourly rows hold them); returns how
    /// many raw rows (histograms and counters) were deleted.
    /// </summary>
    public async Task<long> RunAsync(CancellationToken cancellationToken)
    {
        var cutoff = Cutoff;
        long deleted = 0;
        foreach (var table in RawTables)
        {
            await using var command = _dataSource.CreateCommand(
                $"""
                DELETE FROM {table} i USING compacted_hours l
                WHERE l.hour_start + interval '1 hour' <= $1
                  AND i.rollout = l.rollout AND i.interval_start >= l.hour_start AND i.interval_start < l.hour_start + interval '1 hour'
                  AND i.written_at <= l.compacted_at
                """);
            command.AddTime(cutoff);
            deleted += await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        foreach (var table in SliceTables)
        {
            await using var command = _dataSource.CreateCommand(
                $"""
                DELETE FROM {table} s USING compacted_hours l
                WHERE l.hour_start + interval '1 hour' <= $1
                  AND s.rollout = l.rollout AND s.slice_start >= l.hour_start AND s.slice_start < l.hour_start + interval '1 hour'
                """);
            command.AddTime(cutoff);
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        return deleted;
    }
}
