using Canary.Contracts.Telemetry;
using Canary.Contracts.Telemetry.Storage;
using Npgsql;

namespace Canary.Analyzer.Preflight;

/// <summary>
/// What the internal testers (forced users and opt-in requests, subset <c>&lt;canary&gt;:testers</c>) saw of the canary
/// over a window. Shown next to the preflight, never part of the canary-against-stable comparison.
/// </summary>
internal sealed record TesterTraffic(string Subset, DateTimeOffset From, DateTimeOffset To, long Requests, long Errors, long RateLimited, long Refusals)
{
    public static async Task<TesterTraffic> ReadAsync(NpgsqlDataSource dataSource, string rollout, string canarySubset, DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken)
    {
        await SchemaMigrator.MigrateAsync(dataSource, cancellationToken).ConfigureAwait(false);
        var window = await new TelemetryWindowReader(dataSource).ReadAsync(rollout, from, to, cancellationToken).ConfigureAwait(false);
        return FromWindow(window, canarySubset, from, to);
    }

    /// <summary>The testers' counts from a window already read (the rollout report reads one for the whole rollout).</summary>
    public static TesterTraffic FromWindow(RolloutWindow window, string canarySubset, DateTimeOffset from, DateTimeOffset to)
    {
        var subset = OffComparisonArm.Testers(canarySubset);
        var arm = window.Arm(subset);
        return new TesterTraffic(
            subset, from, to, arm.Counter(TelemetryCounter.Requests),
            arm.Counter(TelemetryCounter.Status5xx) + arm.Counter(TelemetryCounter.EndedWithoutResponse),
            arm.Counter(TelemetryCounter.Status429), arm.Counter(TelemetryCounter.Refusals));
    }

    public string Describe() => Requests == 0
        ? $"testers ({Subset}, {(To - From).TotalHours:0} h): no requests"
        : $"testers ({Subset}, {(To - From).TotalHours:0} h): {Requests} request(s), {Errors} error(s), {RateLimited} rate-limited, {Refusals} refusal(s); not part of the comparison";
}
