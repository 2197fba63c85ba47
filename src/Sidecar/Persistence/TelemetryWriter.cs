using Canary.Contracts.Telemetry;
using Npgsql;
using NpgsqlTypes;

namespace Canary.Sidecar.Persistence;

/// <summary>
/// Writes a <see cref="TelemetryBatch"/> in one transaction: binary COPY into temporary staging tables, then
/// <c>INSERT … ON CONFLICT DO NOTHING</c> into the real tables, so a batch that is retried after a lost commit
/// acknowledgement (or written twice for any reason) is stored exactly once.
/// </summary>
internal sealed class TelemetryWriter
{
    private const string StageSql =
        """
        CREATE TEMP TABLE canary_stage_histograms (LIKE interval_histograms INCLUDING DEFAULTS) ON COMMIT DROP;
        CREATE TEMP TABLE canary_stage_counters (LIKE interval_counters INCLUDING DEFAULTS) ON COMMIT DROP
        """;

    private const string HistogramColumns = "sidecar_id, rollout, subset, metric, interval_start, interval_ms, count, sum, min, max, encoded";
    private const string CounterColumns = "sidecar_id, rollout, subset, counter, interval_start, interval_ms, value";

    private const string MergeSql =
        $"""
        INSERT INTO interval_histograms ({HistogramColumns}) SELECT {HistogramColumns} FROM canary_stage_histograms ON CONFLICT DO NOTHING;
        INSERT INTO interval_counters ({CounterColumns}) SELECT {CounterColumns} FROM canary_stage_counters ON CONFLICT DO NOTHING
        """;

    private readonly NpgsqlDataSource _dataSource;
    private readonly string _sidecarId;

    public TelemetryWriter(NpgsqlDataSource dataSource, string sidecarId)
    {
        _dataSource = dataSource;
        _sidecarId = sidecarId;
    }

    /// <summary>Writes the batch; returns the rows actually inserted (fewer than the batch holds when it was written before).</summary>
    public async Task<int> WriteAsync(TelemetryBatch batch, CancellationToken cancellationToken)
    {
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await using (var stage = new NpgsqlCommand(StageSql, connection, transaction))
        {
            await stage.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        if (batch.Histograms.Count > 0)
        {
            await CopyHistogramsAsync(connection, batch, cancellationToken).ConfigureAwait(false);
        }

        if (batch.Counters.Count > 0)
        {
            await CopyCountersAsync(connection, batch, cancellationToken).ConfigureAwait(false);
        }

        int inserted;
        await using (var merge = new NpgsqlCommand(MergeSql, connection, transaction))
        {
            inserted = await merge.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return inserted;
    }

    private async Task CopyHistogramsAsync(NpgsqlConnection connection, TelemetryBatch batch, CancellationToken cancellationToken)
    {
        // Dispose without Complete cancels the COPY, and the transaction rolls back with it.
        await using var importer = await connection.BeginBinaryImportAsync(
            $"COPY canary_stage_histograms ({HistogramColumns}) FROM STDIN (FORMAT BINARY)", cancellationToken).ConfigureAwait(false);
        foreach (var row in batch.Histograms)
        {
            await importer.StartRowAsync(cancellationToken).ConfigureAwait(false);
            await importer.WriteAsync(_sidecarId, NpgsqlDbType.Text, cancellationToken).ConfigureAwait(false);
            await importer.WriteAsync(row.Rollout, NpgsqlDbType.Text, cancellationToken).ConfigureAwait(false);
            await importer.WriteAsync(row.Subset, NpgsqlDbType.Text, cancellationToken).ConfigureAwait(false);
            await importer.WriteAsync(TelemetryNames.Metric(row.Metric), NpgsqlDbType.Text, cancellationToken).ConfigureAwait(false);
            await importer.WriteAsync(batch.IntervalStartUtc, NpgsqlDbType.TimestampTz, cancellationToken).ConfigureAwait(false);
            await importer.WriteAsync(batch.IntervalMilliseconds, NpgsqlDbType.Integer, cancellationToken).ConfigureAwait(false);
            await importer.WriteAsync(row.Count, NpgsqlDbType.Bigint, cancellationToken).ConfigureAwait(false);
            await importer.WriteAsync(row.Sum, NpgsqlDbType.Bigint, cancellationToken).ConfigureAwait(false);
            await importer.WriteAsync(row.Min, NpgsqlDbType.Bigint, cancellationToken).ConfigureAwait(false);
            await importer.WriteAsync(row.Max, NpgsqlDbType.Bigint, cancellationToken).ConfigureAwait(false);
            await importer.WriteAsync(batch.Encoded(row), NpgsqlDbType.Bytea, cancellationToken).ConfigureAwait(false);
        }

        await importer.CompleteAsync(cancellationToken).ConfigureAwait(false);
    }

    private async Task CopyCountersAsync(NpgsqlConnection connection, TelemetryBatch batch, CancellationToken cancellationToken)
    {
        await using var importer = await connection.BeginBinaryImportAsync(
            $"COPY canary_stage_counters ({CounterColumns}) FROM STDIN (FORMAT BINARY)", cancellationToken).ConfigureAwait(false);
        foreach (var row in batch.Counters)
        {
            await importer.StartRowAsync(cancellationToken).ConfigureAwait(false);
            await importer.WriteAsync(_sidecarId, NpgsqlDbType.Text, cancellationToken).ConfigureAwait(false);
            await importer.WriteAsync(row.Rollout, NpgsqlDbType.Text, cancellationToken).ConfigureAwait(false);
            await importer.WriteAsync(row.Subset, NpgsqlDbType.Text, cancellationToken).ConfigureAwait(false);
            await importer.WriteAsync(TelemetryNames.Counter(row.Counter), NpgsqlDbType.Text, cancellationToken).ConfigureAwait(false);
            await importer.WriteAsync(batch.IntervalStartUtc, NpgsqlDbType.TimestampTz, cancellationToken).ConfigureAwait(false);
            await importer.WriteAsync(batch.IntervalMilliseconds, NpgsqlDbType.Integer, cancellationToken).ConfigureAwait(false);
            await importer.WriteAsync(row.Value, NpgsqlDbType.Bigint, cancellationToken).ConfigureAwait(false);
        }

        await importer.CompleteAsync(cancellationToken).ConfigureAwait(false);
    }
}
