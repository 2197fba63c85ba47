using Canary.Contracts.Telemetry;
using Canary.Contracts.Telemetry.Storage;
using Npgsql;

namespace Canary.Analyzer.Storage;

/// <summary>
/// Rolls raw interval telemetry up into hourly rows, and into five-minute slice rows for reads of recent windows, per
/// rollout, subset and metric or counter, exactly across sidecars and intervals: histograms are decoded, added bucket by
/// bucket and re-encoded with <see cref="HistogramCodec"/>, counters are summed. Only whole UTC hours ending at or before
/// now − <see cref="StorageMaintenanceOptions.CompactAfter"/>, and slices ending at or before now −
/// <see cref="StorageMaintenanceOptions.SliceCompactAfter"/>.
/// </summary>
/// <remarks>
/// Each (rollout, hour) or (rollout, slice) is compacted in one transaction that first claims it in its ledger
/// (<c>compacted_hours</c>, <c>compacted_slices</c>) and then writes its rows, so a crash or error leaves either nothing
/// or everything, and a rerun (or a second job racing this one) finds it claimed and skips it: the ledger insert of the
/// loser waits for the winner's commit and then conflicts. Both tiers read the raw rows, which are left in place for
/// <see cref="RetentionJob"/>.
/// </remarks>
internal sealed class CompactionJob
{
    // A loose index scan over (rollout, interval_start): one probe per (rollout, bucket) instead of reading every raw row,
    // and one more per rollout to jump past its recent (not yet compactable) rows. $1 is the cutoff, $2 the bucket length
    // in seconds; buckets are aligned to the epoch, which for hours is the UTC hour. $3 is the oldest bucket start wanted.
    private static string PendingSql(TelemetryTier tier) =>
        $"""
        WITH RECURSIVE
        h AS (
            (SELECT rollout, interval_start FROM {TelemetryTier.Raw.HistogramTable} ORDER BY rollout, interval_start LIMIT 1)
            UNION ALL
            SELECT n.rollout, n.interval_start FROM h CROSS JOIN LATERAL (
                SELECT i.rollout, i.interval_start FROM {TelemetryTier.Raw.HistogramTable} i
                WHERE (i.rollout, i.interval_start) >= (h.rollout, CASE WHEN h.interval_start >= $1 THEN 'infinity'::timestamptz
                    ELSE to_timestamp((floor(extract(epoch FROM h.interval_start) / $2) + 1) * $2) END)
                ORDER BY i.rollout, i.interval_start LIMIT 1) n
        ),
        c AS (
            (SELECT rollout, interval_start FROM {TelemetryTier.Raw.CounterTable} ORDER BY rollout, interval_start LIMIT 1)
            UNION ALL
            SELECT n.rollout, n.interval_start FROM c CROSS JOIN LATERAL (
                SELECT i.rollout, i.interval_start FROM {TelemetryTier.Raw.CounterTable} i
                WHERE (i.rollout, i.interval_start) >= (c.rollout, CASE WHEN c.interval_start >= $1 THEN 'infinity'::timestamptz
                    ELSE to_timestamp((floor(extract(epoch FROM c.interval_start) / $2) + 1) * $2) END)
                ORDER BY i.rollout, i.interval_start LIMIT 1) n
        ),
        buckets AS (
            SELECT rollout, to_timestamp(floor(extract(epoch FROM interval_start) / $2) * $2) AS bucket_start FROM h WHERE interval_start < $1 AND interval_start >= $3
            UNION
            SELECT rollout, to_timestamp(floor(extract(epoch FROM interval_start) / $2) * $2) FROM c WHERE interval_start < $1 AND interval_start >= $3
        )
        SELECT rollout, bucket_start FROM buckets
        WHERE NOT EXISTS (SELECT 1 FROM {tier.LedgerTable} l WHERE l.rollout = buckets.rollout AND l.{tier.StartColumn} = buckets.bucket_start)
        ORDER BY rollout, bucket_start
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

    /// <summary>Runs between writing an hour's rows and committing; lets tests interrupt a compaction.</summary>
    internal Func<string, DateTimeOffset, CancellationToken, Task>? BeforeCommit { get; init; }

    /// <summary>End (exclusive) of the last hour old enough to compact now.</summary>
    public DateTimeOffset Cutoff => TelemetryHours.Floor(_timeProvider.GetUtcNow() - _options.CompactAfter);

    /// <summary>End (exclusive) of the last five-minute slice old enough to roll up now.</summary>
    public DateTimeOffset SliceCutoff => TelemetrySlices.Floor(_timeProvider.GetUtcNow() - _options.SliceCompactAfter);

    /// <summary>Compacts every pending hour and slice of every rollout; returns the hours this run compacted.</summary>
    public Task<int> RunAsync(CancellationToken cancellationToken) => RunAsync(null, cancellationToken);

    /// <summary>
    /// Compacts the pending hours, then the pending slices, of one rollout, or of all when <paramref name="onlyRollout"/>
    /// is null; returns the hours compacted (<see cref="RunSlicesAsync"/> alone returns the slices).
    /// </summary>
    public async Task<int> RunAsync(string? onlyRollout, CancellationToken cancellationToken)
    {
        var compacted = await RunTierAsync(TelemetryTier.Hourly, Cutoff, onlyRollout, cancellationToken).ConfigureAwait(false);
        await RunSlicesAsync(onlyRollout, cancellationToken).ConfigureAwait(false);
        return compacted;
    }

    /// <summary>Rolls up the pending five-minute slices; returns how many this run rolled up.</summary>
    /// <remarks>
    /// Not before the raw retention horizon: retention drops old slices with their hour's raw rows, and a late raw row it
    /// keeps must not bring a slice back every run.
    /// </remarks>
    public Task<int> RunSlicesAsync(string? onlyRollout, CancellationToken cancellationToken) =>
        RunTierAsync(TelemetryTier.Slices, SliceCutoff, onlyRollout, cancellationToken);

    /// <summary>(rollout, hour) pairs with raw rows before <paramref name="cutoff"/> and not yet in the ledger.</summary>
    public Task<List<(string Rollout, DateTimeOffset Hour)>> PendingHoursAsync(DateTimeOffset cutoff, CancellationToken cancellationToken) =>
        PendingAsync(TelemetryTier.Hourly, cutoff, cancellationToken);

    /// <summary>
    /// Compacts one hour of one rollout in one transaction; false when the hour is already in the ledger (compacted by
    /// an earlier run or by a concurrent job).
    /// </summary>
    public Task<bool> CompactHourAsync(string rollout, DateTimeOffset hour, CancellationToken cancellationToken) =>
        CompactAsync(TelemetryTier.Hourly, rollout, hour, cancellationToken);

    /// <summary>Rolls up one five-minute slice of one rollout in one transaction; false when it is already in the ledger.</summary>
    public Task<bool> CompactSliceAsync(string rollout, DateTimeOffset slice, CancellationToken cancellationToken) =>
        CompactAsync(TelemetryTier.Slices, rollout, slice, cancellationToken);

    private async Task<int> RunTierAsync(TelemetryTier tier, DateTimeOffset cutoff, string? onlyRollout, CancellationToken cancellationToken)
    {
        var pending = await PendingAsync(tier, cutoff, cancellationToken).ConfigureAwait(false);
        var compacted = 0;
        foreach (var (rollout, start) in pending)
        {
            if (onlyRollout is not null && !string.Equals(rollout, onlyRollout, StringComparison.Ordinal))
            {
                continue;
            }

            if (await CompactAsync(tier, rollout, start, cancellationToken).ConfigureAwait(false))
            {
                compacted++;
            }
        }

        return compacted;
    }

    private async Task<List<(string Rollout, DateTimeOffset Start)>> PendingAsync(TelemetryTier tier, DateTimeOffset cutoff, CancellationToken cancellationToken)
    {
        var pending = new List<(string, DateTimeOffset)>();
        await using var command = _dataSource.CreateCommand(PendingSql(tier));
        command.AddTime(cutoff);
        command.AddBigint((long)tier.Length.TotalSeconds);
        command.AddTime(tier == TelemetryTier.Slices
            ? TelemetryHours.Floor(_timeProvider.GetUtcNow() - _options.RawRetention)
            : DateTimeOffset.MinValue.ToUniversalTime());
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            pending.Add((reader.GetString(0), new DateTimeOffset(reader.GetFieldValue<DateTime>(1), TimeSpan.Zero)));
        }

        return pending;
    }

    private async Task<bool> CompactAsync(TelemetryTier tier, string rollout, DateTimeOffset start, CancellationToken cancellationToken)
    {
        if (tier.Floor(start) != start)
        {
            throw new ArgumentException($"{start:O} is not the start of a whole {tier.Name}.", nameof(start));
        }

        var end = start + tier.Length;
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);

        await using (var claim = new NpgsqlCommand(
            $"INSERT INTO {tier.LedgerTable} (rollout, {tier.StartColumn}) VALUES ($1, $2) ON CONFLICT DO NOTHING", connection, transaction))
        {
            claim.AddText(rollout);
            claim.AddTime(start);
            if (await claim.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 0)
            {
                await transaction.RollbackAsync(cancellationToken).ConfigureAwait(false);
                return false;
            }
        }

        var merged = new Dictionary<(string Subset, string Metric), MergedRollup>();
        long histogramRows = 0;
        await TelemetryWindowReader.ReadHistogramsAsync(connection, transaction, TelemetryTier.Raw, rollout, start, end, (subset, metric, encoded, groups) =>
        {
            if (!merged.TryGetValue((subset, metric), out var rollup))
            {
                // The layout comes from the encoding itself, so metrics this build does not know survive compaction.
                var header = HistogramCodec.ReadHeader(encoded);
                rollup = new MergedRollup(new MergedHistogram(new HistogramLayout(header.HighestTrackableValue, header.SignificantDigits)));
                merged.Add((subset, metric), rollup);
            }

            rollup.Histogram.Add(encoded);
            rollup.AddGroups(groups);
            histogramRows++;
        }, cancellationToken).ConfigureAwait(false);

        if (merged.Count > 0)
        {
            await TelemetryRowWriter.CopyHistogramsAsync(connection, tier, RollupRows(rollout, start, merged), cancellationToken).ConfigureAwait(false);
        }

        var counterSums = new List<CounterRow>();
        long counterRows = 0;
        await TelemetryWindowReader.ReadCounterSumsAsync(connection, transaction, TelemetryTier.Raw, rollout, start, end, sum =>
        {
            counterSums.Add(new CounterRow("", rollout, sum.Subset, sum.Counter, start.UtcDateTime, 0, sum.Sum, MergedCounterGroups(sum), MergedBuckets(sum)));
            counterRows += sum.Rows;
        }, cancellationToken).ConfigureAwait(false);
        if (counterSums.Count > 0)
        {
            await TelemetryRowWriter.CopyCountersAsync(connection, tier, counterSums, cancellationToken).ConfigureAwait(false);
        }

        await using (var ledger = new NpgsqlCommand(
            $"UPDATE {tier.LedgerTable} SET histogram_rows = $3, counter_rows = $4 WHERE rollout = $1 AND {tier.StartColumn} = $2", connection, transaction))
        {
            ledger.AddText(rollout);
            ledger.AddTime(start);
            ledger.AddBigint(histogramRows);
            ledger.AddBigint(counterRows);
            await ledger.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        if (tier == TelemetryTier.Hourly && BeforeCommit is { } beforeCommit)
        {
            await beforeCommit(rollout, start, cancellationToken).ConfigureAwait(false);
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return true;
    }

    /// <summary>The roll-up rows of the merged histograms, encoded one at a time into one reused buffer.</summary>
    private static IEnumerable<HistogramRow> RollupRows(string rollout, DateTimeOffset start, Dictionary<(string Subset, string Metric), MergedRollup> merged)
    {
        var buffer = Array.Empty<byte>();
        foreach (var ((subset, metric), rollup) in merged)
        {
            var histogram = rollup.Histogram;
            var needed = HistogramCodec.MaxEncodedLength(histogram.Layout);
            if (buffer.Length < needed)
            {
                buffer = new byte[needed];
            }

            var length = HistogramCodec.Encode(histogram.Layout, histogram.Counts, histogram.Sum, histogram.Min, histogram.Max, buffer);
            yield return new HistogramRow("", rollout, subset, metric, start.UtcDateTime, 0,
                histogram.TotalCount, histogram.Sum, histogram.Min, histogram.Max, buffer[..length], rollup.EncodedGroups());
        }
    }

    /// <summary>
    /// The per-group values of a counter's rows merged into one encoding, or none when any row had none (partial group
    /// totals would not add up to the counter, so the roll-up keeps only the total).
    /// </summary>
    private static byte[]? MergedCounterGroups(CounterSum sum)
    {
        if (sum.RowsWithGroups != sum.Rows || sum.Groups.Count == 0)
        {
            return null;
        }

        var groups = new long[UserGroups.Count];
        foreach (var encoded in sum.Groups)
        {
            UserGroupCodec.AddCounts(encoded, groups);
        }

        return UserGroupCodec.EncodeCounts(groups);
    }

    /// <summary>The union of a counter's bucket sets, or none when no row carried one.</summary>
    private static byte[]? MergedBuckets(CounterSum sum)
    {
        if (sum.Buckets.Count == 0)
        {
            return null;
        }

        var set = new BucketSet();
        foreach (var encoded in sum.Buckets)
        {
            set.Add(encoded);
        }

        return UserGroupCodec.EncodeBuckets(set.Words, set.BucketCount);
    }
}
