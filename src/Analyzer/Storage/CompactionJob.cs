using Canary.Contracts.Telemetry;
using Npgsql;
using NpgsqlTypes;

namespace Canary.Analyzer.Storage;

/// <summary>
/// Rolls raw interval telemetry up into hourly rows per rollout, subset and metric or counter, exactly across sidecars
/// and intervals: histograms are decoded, added bucket by bucket and re-encoded with <see cref="HistogramCodec"/>,
/// counters are summed. Only whole UTC hours ending at or before now − <see cref="StorageMaintenanceOptions.CompactAfter"/>.
/// </summary>
/// <remarks>
/// Each (rollout, hour) is compacted in one transaction that first claims the hour in <c>compacted_hours</c> and then
/// writes its hourly rows, so a crash or error leaves either nothing or everything, and a rerun (or a second job
/// racing this one) finds the hour claimed and skips it: the ledger insert of the loser waits for the winner's commit
/// and then conflicts. Raw rows are left in place for <see cref="RetentionJob"/>.
/// </remarks>
internal sealed class CompactionJob
{
    // A loose index scan over (rollout, interval_start): one probe per (rollout, hour) instead of reading every raw row,
    // and one more per rollout to jump past its recent (not yet compactable) rows.
    private const string PendingHoursSql =
        """
        WITH RECURSIVE
        h AS (
            (SELECT rollout, interval_start FROM interval_histograms ORDER BY rollout, interval_start LIMIT 1)
            UNION ALL
            SELECT n.rollout, n.interval_start FROM h CROSS JOIN LATERAL (
                SELECT i.rollout, i.interval_start FROM interval_histograms i
                WHERE (i.rollout, i.interval_start) >= (h.rollout, CASE WHEN h.interval_start >= $1 THEN 'infinity'::timestamptz
                    ELSE date_trunc('hour', h.interval_start AT TIME ZONE 'UTC') AT TIME ZONE 'UTC' + interval '1 hour' END)
                ORDER BY i.rollout, i.interval_start LIMIT 1) n
        ),
        c AS (
            (SELECT rollout, interval_start FROM interval_counters ORDER BY rollout, interval_start LIMIT 1)
            UNION ALL
            SELECT n.rollout, n.interval_start FROM c CROSS JOIN LATERAL (
                SELECT i.rollout, i.interval_start FROM interval_counters i
                WHERE (i.rollout, i.interval_start) >= (c.rollout, CASE WHEN c.interval_start >= $1 THEN 'infinity'::timestamptz
                    ELSE date_trunc('hour', c.interval_start AT TIME ZONE 'UTC') AT TIME ZONE 'UTC' + interval '1 hour' END)
                ORDER BY i.rollout, i.interval_start LIMIT 1) n
        ),
        hours AS (
            SELECT rollout, date_trunc('hour', interval_start AT TIME ZONE 'UTC') AT TIME ZONE 'UTC' AS hour_start FROM h WHERE interval_start < $1
            UNION
            SELECT rollout, date_trunc('hour', interval_start AT TIME ZONE 'UTC') AT TIME ZONE 'UTC' FROM c WHERE interval_start < $1
        )
        SELECT rollout, hour_start FROM hours
        WHERE NOT EXISTS (SELECT 1 FROM compacted_hours l WHERE l.rollout = hours.rollout AND l.hour_start = hours.hour_start)
        ORDER BY rollout, hour_start
        """;

    private readonly NpgsqlDataSource _dataSource;
    private readonly TimeProvider _timeProvider;
    private readonly StorageMaintenanceOptions _options;

    public CompactionJob(NpgsqlDataSource dataSource, TimeProvider timeProvider, StorageMaintenanceOptions options)
    {
        _dataSource = dataSource;
        _timeProvider = timeProvider;
        _options = options;
    }

    /// <summary>Runs between writing the hourly rows and committing; lets tests interrupt a compaction.</summary>
    internal Func<string, DateTimeOffset, CancellationToken, Task>? BeforeCommit { get; init; }

    /// <summary>End (exclusive) of the last hour old enough to compact now.</summary>
    public DateTimeOffset Cutoff => TelemetryHours.Floor(_timeProvider.GetUtcNow() - _options.CompactAfter);

    /// <summary>Compacts every pending hour of every rollout; returns the hours this run compacted.</summary>
    public Task<int> RunAsync(CancellationToken cancellationToken) => RunAsync(null, cancellationToken);

    /// <summary>Compacts the pending hours of one rollout, or of all when <paramref name="onlyRollout"/> is null.</summary>
    public async Task<int> RunAsync(string? onlyRollout, CancellationToken cancellationToken)
    {
        var pending = await PendingHoursAsync(Cutoff, cancellationToken).ConfigureAwait(false);
        var compacted = 0;
        foreach (var (rollout, hour) in pending)
        {
            if (onlyRollout is not null && !string.Equals(rollout, onlyRollout, StringComparison.Ordinal))
            {
                continue;
            }

            if (await CompactHourAsync(rollout, hour, cancellationToken).ConfigureAwait(false))
            {
                compacted++;
            }
        }

        return compacted;
    }

    /// <summary>(rollout, hour) pairs with raw rows before <paramref name="cutoff"/> and not yet in the ledger.</summary>
    public async Task<List<(string Rollout, DateTimeOffset Hour)>> PendingHoursAsync(DateTimeOffset cutoff, CancellationToken cancellationToken)
    {
        var pending = new List<(string, DateTimeOffset)>();
        await using var command = _dataSource.CreateCommand(PendingHoursSql);
        command.AddTime(cutoff);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            pending.Add((reader.GetString(0), new DateTimeOffset(reader.GetFieldValue<DateTime>(1), TimeSpan.Zero)));
        }

        return pending;
    }

    /// <summary>
    /// Compacts one hour of one rollout in one transaction; false when the hour is already in the ledger (compacted by
    /// an earlier run or by a concurrent job).
    /// </summary>
    public async Task<bool> CompactHourAsync(string rollout, DateTimeOffset hour, CancellationToken cancellationToken)
    {
        if (TelemetryHours.Floor(hour) != hour)
        {
            throw new ArgumentException($"{hour:O} is not a whole UTC hour.", nameof(hour));
        }

        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);

        await using (var claim = new NpgsqlCommand(
            "INSERT INTO compacted_hours (rollout, hour_start) VALUES ($1, $2) ON CONFLICT DO NOTHING", connection, transaction))
        {
            claim.AddText(rollout);
            claim.AddTime(hour);
            if (await claim.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 0)
            {
                await transaction.RollbackAsync(cancellationToken).ConfigureAwait(false);
                return false;
            }
        }

        var merged = new Dictionary<(string Subset, string Metric), MergedHistogram>();
        long histogramRows = 0;
        await using (var read = new NpgsqlCommand(
            "SELECT subset, metric, encoded FROM interval_histograms WHERE rollout = $1 AND interval_start >= $2 AND interval_start < $3",
            connection, transaction))
        {
            read.AddText(rollout);
            read.AddTime(hour);
            read.AddTime(hour + TelemetryHours.Hour);
            await using var reader = await read.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                var key = (reader.GetString(0), reader.GetString(1));
                var encoded = reader.GetFieldValue<byte[]>(2);
                if (!merged.TryGetValue(key, out var histogram))
                {
                    // The layout comes from the encoding itself, so metrics this build does not know survive compaction.
                    var header = HistogramCodec.ReadHeader(encoded);
                    histogram = new MergedHistogram(new HistogramLayout(header.HighestTrackableValue, header.SignificantDigits));
                    merged.Add(key, histogram);
                }

                histogram.Add(encoded);
                histogramRows++;
            }
        }

        if (merged.Count > 0)
        {
            await WriteHourlyHistogramsAsync(connection, rollout, hour, merged, cancellationToken).ConfigureAwait(false);
        }

        long counterRows;
        await using (var counters = new NpgsqlCommand(
            """
            WITH raw AS (
                SELECT subset, counter, value FROM interval_counters WHERE rollout = $1 AND interval_start >= $2 AND interval_start < $3
            ), written AS (
                INSERT INTO hourly_counters (rollout, subset, counter, hour_start, value)
                SELECT $1, subset, counter, $2, sum(value)::bigint FROM raw GROUP BY subset, counter
            )
            SELECT count(*) FROM raw
            """,
            connection, transaction))
        {
            counters.AddText(rollout);
            counters.AddTime(hour);
            counters.AddTime(hour + TelemetryHours.Hour);
            counterRows = (long)(await counters.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
        }

        await using (var ledger = new NpgsqlCommand(
            "UPDATE compacted_hours SET histogram_rows = $3, counter_rows = $4 WHERE rollout = $1 AND hour_start = $2", connection, transaction))
        {
            ledger.AddText(rollout);
            ledger.AddTime(hour);
            ledger.AddBigint(histogramRows);
            ledger.AddBigint(counterRows);
            await ledger.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        if (BeforeCommit is { } beforeCommit)
        {
            await beforeCommit(rollout, hour, cancellationToken).ConfigureAwait(false);
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return true;
    }

    private static async Task WriteHourlyHistogramsAsync(
        NpgsqlConnection connection,
        string rollout,
        DateTimeOffset hour,
        Dictionary<(string Subset, string Metric), MergedHistogram> merged,
        CancellationToken cancellationToken)
    {
        var buffer = Array.Empty<byte>();
        await using var writer = await connection.BeginBinaryImportAsync(
            "COPY hourly_histograms (rollout, subset, metric, hour_start, count, sum, min, max, encoded) FROM STDIN (FORMAT BINARY)",
            cancellationToken).ConfigureAwait(false);
        foreach (var ((subset, metric), histogram) in merged)
        {
            var needed = HistogramCodec.MaxEncodedLength(histogram.Layout);
            if (buffer.Length < needed)
            {
                buffer = new byte[needed];
            }

            var length = HistogramCodec.Encode(histogram.Layout, histogram.Counts, histogram.Sum, histogram.Min, histogram.Max, buffer);
            await writer.StartRowAsync(cancellationToken).ConfigureAwait(false);
            await writer.WriteAsync(rollout, NpgsqlDbType.Text, cancellationToken).ConfigureAwait(false);
            await writer.WriteAsync(subset, NpgsqlDbType.Text, cancellationToken).ConfigureAwait(false);
            await writer.WriteAsync(metric, NpgsqlDbType.Text, cancellationToken).ConfigureAwait(false);
            await writer.WriteAsync(hour.UtcDateTime, NpgsqlDbType.TimestampTz, cancellationToken).ConfigureAwait(false);
            await writer.WriteAsync(histogram.TotalCount, NpgsqlDbType.Bigint, cancellationToken).ConfigureAwait(false);
            await writer.WriteAsync(histogram.Sum, NpgsqlDbType.Bigint, cancellationToken).ConfigureAwait(false);
            await writer.WriteAsync(histogram.Min, NpgsqlDbType.Bigint, cancellationToken).ConfigureAwait(false);
            await writer.WriteAsync(histogram.Max, NpgsqlDbType.Bigint, cancellationToken).ConfigureAwait(false);
            await writer.WriteAsync(buffer[..length], NpgsqlDbType.Bytea, cancellationToken).ConfigureAwait(false);
        }

        await writer.CompleteAsync(cancellationToken).ConfigureAwait(false);
    }
}
