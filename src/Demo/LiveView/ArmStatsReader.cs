using Canary.Contracts.Telemetry;
using Canary.Contracts.Telemetry.Storage;
using Npgsql;

namespace Canary.Demo.LiveView;

/// <summary>
/// Reads both arms' telemetry for the live view with the analyzer's own window reader, over every interval since a
/// given time: the same rows, merged the same way, as the decisions the view shows.
/// </summary>
internal sealed class ArmStatsReader(NpgsqlDataSource dataSource, string rollout, TimeProvider time)
{
    // Intervals start at most one flush before now; the bound only has to lie past the newest of them.
    private static readonly TimeSpan PastNewestInterval = TimeSpan.FromHours(1);

    private readonly TelemetryWindowReader _reader = new(dataSource);
    private readonly string _rollout = rollout;
    private readonly TimeProvider _time = time;

    public async Task<Dictionary<string, ArmStats>> ReadAsync(DateTimeOffset since, CancellationToken cancellationToken)
    {
        var window = await _reader.ReadAsync(_rollout, since, _time.GetUtcNow() + PastNewestInterval, cancellationToken).ConfigureAwait(false);
        var result = new Dictionary<string, ArmStats>(StringComparer.Ordinal);
        foreach (var arm in window.Arms)
        {
            result[arm.Subset] = new ArmStats(
                arm.Counter(TelemetryCounter.Requests),
                arm.Counter(TelemetryCounter.Status5xx) + arm.Counter(TelemetryCounter.EndedWithoutResponse),
                arm.Counter(TelemetryCounter.Refusals),
                Quantile(arm.Histogram(TelemetryMetric.DurationUs), 0.95) / 1000.0,
                Quantile(arm.Histogram(TelemetryMetric.TimeToFirstTokenUs), 0.95) / 1000.0,
                arm.Histogram(TelemetryMetric.OutputTokens)?.Mean ?? 0,
                arm.Histogram(TelemetryMetric.CostMicroUsd)?.Mean ?? 0);
        }

        return result;
    }

    private static double Quantile(MergedHistogram? histogram, double quantile) =>
        histogram is null || histogram.TotalCount == 0 ? 0 : histogram.ValueAtQuantile(quantile);
}
