using Npgsql;

namespace Canary.Contracts.Telemetry.Storage;

/// <summary>
/// Writes telemetry rows with binary COPY: the sidecar's flushed intervals exactly once (<see cref="WriteAsync"/>), and
/// rows copied straight into a tier's tables inside the caller's transaction (<see cref="CopyHistogramsAsync"/>,
/// <see cref="CopyCountersAsync"/>: the analyzer's roll-ups, seeded and benchmark telemetry).
/// </summary>
public sealed class TelemetryRowWriter
{
    private const string StageHistograms = "canary_stage_histograms";
    private const string StageCounters = "canary_stage_counters";

    private static readonly string StageSql =
        $"""
        CREATE TEMP TABLE {StageHistograms} (LIKE {TelemetryTier.Raw.HistogramTable} INCLUDING DEFAULTS) ON COMMIT DROP;
        CREATE TEMP TABLE {StageCounters} (LIKE {TelemetryTier.Raw.CounterTable} INCLUDING DEFAULTS) ON COMMIT DROP
        """;

    private static readonly string MergeSql =
        $"""
        INSERT INTO {TelemetryTier.Raw.HistogramTable} ({HistogramRow.Columns(TelemetryTier.Raw)})
            SELECT {HistogramRow.Columns(TelemetryTier.Raw)} FROM {StageHistograms} ON CONFLICT DO NOTHING;
        INSERT INTO {TelemetryTier.Raw.CounterTable} ({CounterRow.Columns(TelemetryTier.Raw)})
            SELECT {CounterRow.Columns(TelemetryTier.Raw)} FROM {StageCounters} ON CONFLICT DO NOTHING
        """;

    private readonly NpgsqlDataSource _dataSource;

    public TelemetryRowWriter(NpgsqlDataSource dataSource) => _dataSource = dataSource;

    /// <summary>
    /// Writes raw interval rows in one transaction: binary COPY into temporary staging tables, then
    /// <c>INSERT … ON CONFLICT DO NOTHING</c> into the real tables, so rows that are written again (a batch retried after
    /// a lost commit acknowledgement) are stored exactly once. Returns the rows actually inserted.
    /// </summary>
    public async Task<int> WriteAsync(IReadOnlyCollection<HistogramRow> histograms, IReadOnlyCollection<CounterRow> counters, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(histograms);
        ArgumentNullException.ThrowIfNull(counters);
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await using (var stage = new NpgsqlCommand(StageSql, connection, transaction))
        {
            await stage.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        if (histograms.Count > 0)
        {
            await CopyAsync(connection, StageHistograms, HistogramRow.Columns(TelemetryTier.Raw), histograms, TelemetryTier.Raw,
                static (row, importer, tier, ct) => row.WriteAsync(importer, tier, ct), cancellationToken).ConfigureAwait(false);
        }

        if (counters.Count > 0)
        {
            await CopyAsync(connection, StageCounters, CounterRow.Columns(TelemetryTier.Raw), counters, TelemetryTier.Raw,
                static (row, importer, tier, ct) => row.WriteAsync(importer, tier, ct), cancellationToken).ConfigureAwait(false);
        }

        int inserted;
        await using (var merge = new NpgsqlCommand(MergeSql, connection, transaction))
        {
            inserted = await merge.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return inserted;
    }

    /// <summary>
    /// Copies histogram rows into <paramref name="tier"/>'s table on <paramref name="connection"/> (inside its current
    /// transaction, if any), without de-duplication: a key that exists already fails the COPY. Rows are read one at a
    /// time, so a generator can stream millions. Returns the rows copied.
    /// </summary>
    public static Task<long> CopyHistogramsAsync(NpgsqlConnection connection, TelemetryTier tier, IEnumerable<HistogramRow> rows, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(tier);
        return CopyAsync(connection, tier.HistogramTable, HistogramRow.Columns(tier), rows, tier,
            static (row, importer, t, ct) => row.WriteAsync(importer, t, ct), cancellationToken);
    }

    /// <summary>Copies counter rows into <paramref name="tier"/>'s table, as <see cref="CopyHistogramsAsync"/> does.</summary>
    public static Task<long> CopyCountersAsync(NpgsqlConnection connection, TelemetryTier tier, IEnumerable<CounterRow> rows, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(tier);
        return CopyAsync(connection, tier.CounterTable, CounterRow.Columns(tier), rows, tier,
            static (row, importer, t, ct) => row.WriteAsync(importer, t, ct), cancellationToken);
    }

    private static async Task<long> CopyAsync<TRow>(
        NpgsqlConnection connection,
        string table,
        string columns,
        IEnumerable<TRow> rows,
        TelemetryTier tier,
        Func<TRow, NpgsqlBinaryImporter, TelemetryTier, CancellationToken, Task> writeRow,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentNullException.ThrowIfNull(rows);
        // Dispose without Complete cancels the COPY, and the caller's transaction rolls back with it.
        await using var importer = await connection.BeginBinaryImportAsync(
            $"COPY {table} ({columns}) FROM STDIN (FORMAT BINARY)", cancellationToken).ConfigureAwait(false);
        foreach (var row in rows)
        {
            await writeRow(row, importer, tier, cancellationToken).ConfigureAwait(false);
        }

        return (long)await importer.CompleteAsync(cancellationToken).ConfigureAwait(false);
    }
}
