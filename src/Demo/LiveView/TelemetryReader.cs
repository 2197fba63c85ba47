using Canary.Contracts.Telemetry;
using Npgsql;
using NpgsqlTypes;

namespace Canary.Demo.LiveView;

/// <summary>
/// Reads both arms' telemetry for the live view straight from the tables the sidecar flushes to (interval counters and
/// encoded histograms), merged over every interval since a given time: the same rows the analyzer decides on.
/// </summary>
internal sealed class TelemetryReader(NpgsqlDataSource dataSource, string rollout)
{
    private static readonly TelemetryMetric[] Metrics =
    [
        TelemetryMetric.DurationUs, TelemetryMetric.TimeToFirstTokenUs, TelemetryMetric.OutputTokens, TelemetryMetric.CostMicroUsd,
    ];

    private readonly NpgsqlDataSource _dataSource = dataSource;
    private readonly string _rollout = rollout;

    public async Task<Dictionary<string, ArmStats>> ReadAsync(DateTimeOffset since, CancellationToken cancellationToken)
    {
        var counters = new Dictionary<(string Subset, string Counter), long>();
        var histograms = new Dictionary<(string Subset, string Metric), MergedHistogram>();
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using (var command = new NpgsqlCommand(
            "SELECT subset, counter, sum(value)::bigint FROM interval_counters WHERE rollout = $1 AND interval_start >= $2 GROUP BY subset, counter", connection))
        {
            AddWindow(command, since);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                counters[(reader.GetString(0), reader.GetString(1))] = reader.GetInt64(2);
            }
        }

        var names = new string[Metrics.Length];
        for (var i = 0; i < Metrics.Length; i++)
        {
            names[i] = TelemetryNames.Metric(Metrics[i]);
        }

        await using (var command = new NpgsqlCommand(
            "SELECT subset, metric, encoded FROM interval_histograms WHERE rollout = $1 AND interval_start >= $2 AND metric = ANY($3)", connection))
        {
            AddWindow(command, since);
            command.Parameters.Add(new NpgsqlParameter { Value = names, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text });
            await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                var key = (reader.GetString(0), reader.GetString(1));
                if (!histograms.TryGetValue(key, out var merged))
                {
                    TelemetryNames.TryParseMetric(key.Item2, out var metric);
                    merged = new MergedHistogram(TelemetryLayouts.For(metric));
                    histograms[key] = merged;
                }

                merged.Add((byte[])reader.GetValue(2));
            }
        }

        var subsets = new HashSet<string>(StringComparer.Ordinal);
        foreach (var key in counters.Keys)
        {
            subsets.Add(key.Subset);
        }

        var result = new Dictionary<string, ArmStats>(StringComparer.Ordinal);
        foreach (var subset in subsets)
        {
            long Counter(TelemetryCounter c) => counters.GetValueOrDefault((subset, TelemetryNames.Counter(c)));
            MergedHistogram? Histogram(TelemetryMetric m) => histograms.GetValueOrDefault((subset, TelemetryNames.Metric(m)));
            result[subset] = new ArmStats(
                Counter(TelemetryCounter.Requests),
                Counter(TelemetryCounter.Status5xx) + Counter(TelemetryCounter.EndedWithoutResponse),
                Counter(TelemetryCounter.Refusals),
                Quantile(Histogram(TelemetryMetric.DurationUs), 0.95) / 1000.0,
                Quantile(Histogram(TelemetryMetric.TimeToFirstTokenUs), 0.95) / 1000.0,
                Histogram(TelemetryMetric.OutputTokens)?.Mean ?? 0,
                Histogram(TelemetryMetric.CostMicroUsd)?.Mean ?? 0);
        }

        return result;
    }

    private static double Quantile(MergedHistogram? histogram, double quantile) =>
        histogram is null || histogram.TotalCount == 0 ? 0 : histogram.ValueAtQuantile(quantile);

    private void AddWindow(NpgsqlCommand command, DateTimeOffset since)
    {
        command.Parameters.Add(new NpgsqlParameter { Value = _rollout, NpgsqlDbType = NpgsqlDbType.Text });
        command.Parameters.Add(new NpgsqlParameter { Value = since.UtcDateTime, NpgsqlDbType = NpgsqlDbType.TimestampTz });
    }
}
