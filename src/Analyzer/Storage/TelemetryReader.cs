using Canary.Contracts.Telemetry;
using Npgsql;
using NpgsqlTypes;

namespace Canary.Analyzer.Storage;

/// <summary>
/// Reads one rollout's telemetry for a window and merges it exactly: counters are summed and interval histograms
/// are added bucket by bucket (same layout on every sidecar), so the merged arm is what one histogram over all the
/// traffic would have recorded. Intervals are selected by their start time in [from, to).
/// </summary>
internal sealed class TelemetryReader
{
    private readonly NpgsqlDataSource _dataSource;

    public TelemetryReader(NpgsqlDataSource dataSource) => _dataSource = dataSource;

    public async Task<RolloutWindow> ReadAsync(string rollout, DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken)
    {
        var window = new RolloutWindow(rollout, from, to);
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using (var counters = new NpgsqlCommand(
            "SELECT subset, counter, sum(value)::bigint FROM interval_counters " +
            "WHERE rollout = $1 AND interval_start >= $2 AND interval_start < $3 GROUP BY subset, counter", connection))
        {
            AddWindowParameters(counters, rollout, from, to);
            await using var reader = await counters.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                // Counters this build does not know (written by a newer sidecar) are skipped, not fatal.
                if (TelemetryNames.TryParseCounter(reader.GetString(1), out var counter))
                {
                    window.Arm(reader.GetString(0)).AddCounter(counter, reader.GetInt64(2));
                }
            }
        }

        await using (var histograms = new NpgsqlCommand(
            "SELECT subset, metric, encoded FROM interval_histograms " +
            "WHERE rollout = $1 AND interval_start >= $2 AND interval_start < $3", connection))
        {
            AddWindowParameters(histograms, rollout, from, to);
            await using var reader = await histograms.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                if (TelemetryNames.TryParseMetric(reader.GetString(1), out var metric))
                {
                    var encoded = reader.GetFieldValue<byte[]>(2);
                    window.Arm(reader.GetString(0)).AddHistogram(metric, encoded);
                }
            }
        }

        return window;
    }

    private static void AddWindowParameters(NpgsqlCommand command, string rollout, DateTimeOffset from, DateTimeOffset to)
    {
        command.Parameters.Add(new NpgsqlParameter { Value = rollout, NpgsqlDbType = NpgsqlDbType.Text });
        command.Parameters.Add(new NpgsqlParameter { Value = from.UtcDateTime, NpgsqlDbType = NpgsqlDbType.TimestampTz });
        command.Parameters.Add(new NpgsqlParameter { Value = to.UtcDateTime, NpgsqlDbType = NpgsqlDbType.TimestampTz });
    }
}
