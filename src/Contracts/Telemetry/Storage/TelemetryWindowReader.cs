using System.Data;
using Npgsql;

namespace Canary.Contracts.Telemetry.Storage;

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
public sealed class TelemetryWindowReader
{
    private readonly NpgsqlDataSource _dataSource;

    public TelemetryWindowReader(NpgsqlDataSource dataSource) => _dataSource = dataSource;

    public async Task<RolloutWindow> ReadAsync(string rollout, DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken)
    {
        var window = new RolloutWindow(rollout, from, to);
        if (to <= from)
        {
            return window;
        }

        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(IsolationLevel.RepeatableRead, cancellationToken).ConfigureAwait(false);

        var compactedHours = await LedgerAsync(connection, transaction, TelemetryTier.Hourly, rollout,
            TelemetryHours.Ceiling(from), TelemetryHours.Floor(to), cancellationToken).ConfigureAwait(false);
        if (compactedHours.Count > 0)
        {
            // Only ledger hours have hourly rows (both are written in one transaction), so one range query reads exactly them.
            await ReadTierAsync(window, connection, transaction, TelemetryTier.Hourly, rollout,
                compactedHours[0], compactedHours[^1] + TelemetryHours.Hour, cancellationToken).ConfigureAwait(false);
        }

        var compactedSlices = await LedgerAsync(connection, transaction, TelemetryTier.Slices, rollout,
            TelemetrySlices.Ceiling(from), TelemetrySlices.Floor(to), cancellationToken).ConfigureAwait(false);
        foreach (var (gapStart, gapEnd) in Gaps(from, to, compactedHours, TelemetryHours.Hour))
        {
            // Slices of this gap (never of a ledger hour, whose data the hourly rows already hold), then raw for the rest.
            var slices = compactedSlices.FindAll(s => s >= gapStart && s + TelemetrySlices.Length <= gapEnd);
            if (slices.Count > 0)
            {
                await ReadTierAsync(window, connection, transaction, TelemetryTier.Slices, rollout,
                    slices[0], slices[^1] + TelemetrySlices.Length, cancellationToken).ConfigureAwait(false);
            }

            foreach (var (rawStart, rawEnd) in Gaps(gapStart, gapEnd, slices, TelemetrySlices.Length))
            {
                await ReadTierAsync(window, connection, transaction, TelemetryTier.Raw, rollout, rawStart, rawEnd, cancellationToken).ConfigureAwait(false);
            }
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return window;
    }

    /// <summary>Starts of the ledger entries of a tier in [from, to), ordered; empty when the range holds no whole bucket.</summary>
    private static async Task<List<DateTimeOffset>> LedgerAsync(
        NpgsqlConnection connection, NpgsqlTransaction transaction, TelemetryTier tier, string rollout, DateTimeOffset from, DateTimeOffset to,
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

    private static async Task ReadTierAsync(
        RolloutWindow window, NpgsqlConnection connection, NpgsqlTransaction transaction, TelemetryTier tier, string rollout, DateTimeOffset from,
        DateTimeOffset to, CancellationToken cancellationToken)
    {
        // Counters and metrics this build does not know (written by a newer sidecar) are skipped, not fatal.
        await ReadCounterSumsAsync(connection, transaction, tier, rollout, from, to, sum =>
        {
            if (TelemetryNames.TryParseCounter(sum.Counter, out var counter))
            {
                window.Arm(sum.Subset).AddCounter(counter, sum);
            }
        }, cancellationToken).ConfigureAwait(false);
        await ReadHistogramsAsync(connection, transaction, tier, rollout, from, to, (subset, name, encoded, groups) =>
        {
            if (TelemetryNames.TryParseMetric(name, out var metric))
            {
                window.Arm(subset).AddHistogram(metric, encoded, groups);
            }
        }, cancellationToken).ConfigureAwait(false);
    }

    public static async Task ReadHistogramsAsync(
        NpgsqlConnection connection, NpgsqlTransaction? transaction, TelemetryTier tier, string rollout, DateTimeOffset from, DateTimeOffset to,
        Action<string, string, byte[], byte[]?> onRow, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(tier);
        ArgumentNullException.ThrowIfNull(onRow);
        await using var command = new NpgsqlCommand(
            $"SELECT subset, metric, encoded, groups FROM {tier.HistogramTable} WHERE rollout = $1 AND {tier.StartColumn} >= $2 AND {tier.StartColumn} < $3",
            connection, transaction);
        AddWindowParameters(command, rollout, from, to);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            onRow(reader.GetString(0), reader.GetString(1), reader.GetFieldValue<byte[]>(2), reader.IsDBNull(3) ? null : reader.GetFieldValue<byte[]>(3));
        }
    }

    /// <summary>
    /// Sums every counter of one rollout in <paramref name="tier"/> over the rows with a start in [from, to), in the
    /// caller's transaction: (subset, counter name, sum, rows summed) per subset and counter.
    /// </summary>
    public static async Task ReadCounterSumsAsync(
        NpgsqlConnection connection, NpgsqlTransaction? transaction, TelemetryTier tier, string rollout, DateTimeOffset from, DateTimeOffset to,
        Action<CounterSum> onSum, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(tier);
        ArgumentNullException.ThrowIfNull(onSum);
        // Rows come back one by one (not summed in SQL): their per-group and bucket encodings are merged here.
        await using var command = new NpgsqlCommand(
            $"SELECT subset, counter, value, groups, buckets FROM {tier.CounterTable} WHERE rollout = $1 AND {tier.StartColumn} >= $2 AND {tier.StartColumn} < $3",
            connection, transaction);
        AddWindowParameters(command, rollout, from, to);
        var sums = new Dictionary<(string Subset, string Counter), CounterSumBuilder>();
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
        {
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                var key = (reader.GetString(0), reader.GetString(1));
                if (!sums.TryGetValue(key, out var sum))
                {
                    sums.Add(key, sum = new CounterSumBuilder());
                }

                sum.Add(reader.GetInt64(2), reader.IsDBNull(3) ? null : reader.GetFieldValue<byte[]>(3), reader.IsDBNull(4) ? null : reader.GetFieldValue<byte[]>(4));
            }
        }

        foreach (var ((subset, counter), sum) in sums)
        {
            onSum(new CounterSum(subset, counter, sum.Sum, sum.Rows, sum.RowsWithGroups, sum.Groups, sum.Buckets));
        }
    }

    private static void AddWindowParameters(NpgsqlCommand command, string rollout, DateTimeOffset from, DateTimeOffset to)
    {
        command.AddText(rollout);
        command.AddTime(from);
        command.AddTime(to);
    }

    private sealed class CounterSumBuilder
    {
        public long Sum { get; private set; }

        public long Rows { get; private set; }

        public long RowsWithGroups { get; private set; }

        public List<byte[]> Groups { get; } = [];

        public List<byte[]> Buckets { get; } = [];

        public void Add(long value, byte[]? groups, byte[]? buckets)
        {
            Sum += value;
            Rows++;
            if (groups is not null)
            {
                RowsWithGroups++;
                Groups.Add(groups);
            }

            if (buckets is not null)
            {
                Buckets.Add(buckets);
            }
        }
    }
}
