using System.Data;
using Canary.Contracts.Telemetry;
using Npgsql;

namespace Canary.Analyzer.Storage;

/// <summary>
/// Reads one rollout's telemetry for a window and merges it exactly: counters are summed and histograms are added
/// bucket by bucket (same layout on every sidecar), so the merged arm is what one histogram over all the traffic would
/// have recorded. Intervals are selected by their start time in [from, to).
/// </summary>
/// <remarks>
/// Whole hours inside the window that are in the compaction ledger are read from the hourly rows; of the rest (the
/// partial hours at the window's edges and hours not compacted yet) the whole five-minute slices in the slice ledger
/// from the slice rows, and everything else from the raw intervals, so each interval is counted exactly once and a
/// 24-hour window ending now costs about 24 hourly and 24 slice rows per metric plus the last few minutes of raw rows,
/// whatever the fleet size. All queries run in one repeatable-read snapshot, so a compaction or retention committing
/// meanwhile cannot make an hour or slice appear twice or not at all.
/// </remarks>
internal sealed class TelemetryReader
{
    private readonly NpgsqlDataSource _dataSource;

    public TelemetryReader(NpgsqlDataSource dataSource) => _dataSource = dataSource;

    public async Task<RolloutWindow> ReadAsync(string rollout, DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken)
    {
        var window = new RolloutWindow(rollout, from, to);
        if (to <= from)
        {
            return window;
        }

        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(IsolationLevel.RepeatableRead, cancellationToken).ConfigureAwait(false);

        var compactedHours = await LedgerAsync(connection, transaction, RollupTier.Hourly, rollout,
            TelemetryHours.Ceiling(from), TelemetryHours.Floor(to), cancellationToken).ConfigureAwait(false);
        if (compactedHours.Count > 0)
        {
            // Only ledger hours have hourly rows (both are written in one transaction), so one range query reads exactly them.
            await ReadRollupAsync(window, connection, transaction, RollupTier.Hourly, rollout,
                compactedHours[0], compactedHours[^1] + TelemetryHours.Hour, cancellationToken).ConfigureAwait(false);
        }

        var compactedSlices = await LedgerAsync(connection, transaction, RollupTier.Slices, rollout,
            TelemetrySlices.Ceiling(from), TelemetrySlices.Floor(to), cancellationToken).ConfigureAwait(false);
        foreach (var (gapStart, gapEnd) in Gaps(from, to, compactedHours, TelemetryHours.Hour))
        {
            // Slices of this gap (never of a ledger hour, whose data the hourly rows already hold), then raw for the rest.
            var slices = compactedSlices.FindAll(s => s >= gapStart && s + TelemetrySlices.Length <= gapEnd);
            if (slices.Count > 0)
            {
                await ReadRollupAsync(window, connection, transaction, RollupTier.Slices, rollout,
                    slices[0], slices[^1] + TelemetrySlices.Length, cancellationToken).ConfigureAwait(false);
            }

            foreach (var (rawStart, rawEnd) in Gaps(gapStart, gapEnd, slices, TelemetrySlices.Length))
            {
                await ReadRawAsync(window, connection, transaction, rollout, rawStart, rawEnd, cancellationToken).ConfigureAwait(false);
            }
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return window;
    }

    /// <summary>Starts of the ledger entries of a tier in [from, to), ordered; empty when the range holds no whole bucket.</summary>
    private static async Task<List<DateTimeOffset>> LedgerAsync(
        NpgsqlConnection connection, NpgsqlTransaction transaction, RollupTier tier, string rollout, DateTimeOffset from, DateTimeOffset to,
        CancellationToken cancellationToken)
    {
        var starts = new List<DateTimeOffset>();
        if (from >= to)
        {
            return starts;
        }

        await using var ledger = new NpgsqlCommand(
            $"SELECT {tier.StartColumn} FROM {tier.LedgerTable} WHERE rollout = $1 AND {tier.StartColumn} >= $2 AND {tier.StartColumn} < $3 ORDER BY {tier.StartColumn}",
            connection, transaction);
        AddWindowParameters(ledger, rollout, from, to);
        await using var reader = await ledger.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            starts.Add(new DateTimeOffset(reader.GetFieldValue<DateTime>(0), TimeSpan.Zero));
        }

        return starts;
    }

    /// <summary>[from, to) minus the buckets of <paramref name="length"/> starting at <paramref name="covered"/> (ordered, inside).</summary>
    internal static List<(DateTimeOffset Start, DateTimeOffset End)> Gaps(DateTimeOffset from, DateTimeOffset to, List<DateTimeOffset> covered, TimeSpan length)
    {
        var gaps = new List<(DateTimeOffset, DateTimeOffset)>();
        var start = from;
        foreach (var bucket in covered)
        {
            if (start < bucket)
            {
                gaps.Add((start, bucket));
            }

            start = bucket + length;
        }

        if (start < to)
        {
            gaps.Add((start, to));
        }

        return gaps;
    }

    private static async Task ReadRollupAsync(
        RolloutWindow window, NpgsqlConnection connection, NpgsqlTransaction transaction, RollupTier tier, string rollout, DateTimeOffset from,
        DateTimeOffset to, CancellationToken cancellationToken)
    {
        await ReadCountersAsync(window, connection, transaction,
            $"SELECT subset, counter, sum(value)::bigint FROM {tier.CounterTable} WHERE rollout = $1 AND {tier.StartColumn} >= $2 AND {tier.StartColumn} < $3 GROUP BY subset, counter",
            rollout, from, to, cancellationToken).ConfigureAwait(false);
        await ReadHistogramsAsync(window, connection, transaction,
            $"SELECT subset, metric, encoded FROM {tier.HistogramTable} WHERE rollout = $1 AND {tier.StartColumn} >= $2 AND {tier.StartColumn} < $3",
            rollout, from, to, cancellationToken).ConfigureAwait(false);
    }

    private static async Task ReadRawAsync(
        RolloutWindow window, NpgsqlConnection connection, NpgsqlTransaction transaction, string rollout, DateTimeOffset from, DateTimeOffset to,
        CancellationToken cancellationToken)
    {
        await ReadCountersAsync(window, connection, transaction,
            "SELECT subset, counter, sum(value)::bigint FROM interval_counters WHERE rollout = $1 AND interval_start >= $2 AND interval_start < $3 GROUP BY subset, counter",
            rollout, from, to, cancellationToken).ConfigureAwait(false);
        await ReadHistogramsAsync(window, connection, transaction,
            "SELECT subset, metric, encoded FROM interval_histograms WHERE rollout = $1 AND interval_start >= $2 AND interval_start < $3",
            rollout, from, to, cancellationToken).ConfigureAwait(false);
    }

    private static async Task ReadCountersAsync(
        RolloutWindow window, NpgsqlConnection connection, NpgsqlTransaction transaction, string sql, string rollout, DateTimeOffset from,
        DateTimeOffset to, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(sql, connection, transaction);
        AddWindowParameters(command, rollout, from, to);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            // Counters this build does not know (written by a newer sidecar) are skipped, not fatal.
            if (TelemetryNames.TryParseCounter(reader.GetString(1), out var counter))
            {
                window.Arm(reader.GetString(0)).AddCounter(counter, reader.GetInt64(2));
            }
        }
    }

    private static async Task ReadHistogramsAsync(
        RolloutWindow window, NpgsqlConnection connection, NpgsqlTransaction transaction, string sql, string rollout, DateTimeOffset from,
        DateTimeOffset to, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(sql, connection, transaction);
        AddWindowParameters(command, rollout, from, to);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            if (TelemetryNames.TryParseMetric(reader.GetString(1), out var metric))
            {
                var encoded = reader.GetFieldValue<byte[]>(2);
                window.Arm(reader.GetString(0)).AddHistogram(metric, encoded);
            }
        }
    }

    private static void AddWindowParameters(NpgsqlCommand command, string rollout, DateTimeOffset from, DateTimeOffset to)
    {
        command.AddText(rollout);
        command.AddTime(from);
        command.AddTime(to);
    }
}
