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
/// Whole hours inside the window that are in the compaction ledger are read from the hourly rows; everything else (the
/// partial hours at the window's edges and hours not compacted yet) from the raw intervals, so each interval is counted
/// exactly once and a 24-hour window costs about 24 hourly rows per metric plus the recent raw rows, whatever the fleet
/// size. All queries run in one repeatable-read snapshot, so a compaction or retention committing meanwhile cannot make
/// an hour appear twice or not at all.
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

        var firstWhole = TelemetryHours.Ceiling(from);
        var endWhole = TelemetryHours.Floor(to);
        var compacted = new List<DateTimeOffset>();
        if (firstWhole < endWhole)
        {
            await using var ledger = new NpgsqlCommand(
                "SELECT hour_start FROM compacted_hours WHERE rollout = $1 AND hour_start >= $2 AND hour_start < $3 ORDER BY hour_start",
                connection, transaction);
            AddWindowParameters(ledger, rollout, firstWhole, endWhole);
            await using var reader = await ledger.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                compacted.Add(new DateTimeOffset(reader.GetFieldValue<DateTime>(0), TimeSpan.Zero));
            }
        }

        if (compacted.Count > 0)
        {
            await ReadCountersAsync(window, connection, transaction,
                "SELECT subset, counter, sum(value)::bigint FROM hourly_counters WHERE rollout = $1 AND hour_start >= $2 AND hour_start < $3 GROUP BY subset, counter",
                rollout, firstWhole, endWhole, cancellationToken).ConfigureAwait(false);
            await ReadHistogramsAsync(window, connection, transaction,
                "SELECT subset, metric, encoded FROM hourly_histograms WHERE rollout = $1 AND hour_start >= $2 AND hour_start < $3",
                rollout, firstWhole, endWhole, cancellationToken).ConfigureAwait(false);
        }

        // The raw ranges are [from, to) minus the compacted hours (ordered, whole, inside the window).
        var rangeStart = from;
        foreach (var hour in compacted)
        {
            if (rangeStart < hour)
            {
                await ReadRawAsync(window, connection, transaction, rollout, rangeStart, hour, cancellationToken).ConfigureAwait(false);
            }

            rangeStart = hour + TelemetryHours.Hour;
        }

        if (rangeStart < to)
        {
            await ReadRawAsync(window, connection, transaction, rollout, rangeStart, to, cancellationToken).ConfigureAwait(false);
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return window;
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
