using Npgsql;

namespace Canary.Analyzer.Preflight;

/// <summary>
/// The start gate: a rollout goes past stage 1 only when the newest preflight for the same rollout and the same two
/// versions passed, or when the operator skips it explicitly (the skip is recorded with who and when).
/// </summary>
internal static class PreflightGate
{
    public static async Task<string> CheckAsync(
        NpgsqlDataSource dataSource, string rollout, string stable, string canary, string? skippedBy, TimeProvider time, CancellationToken cancellationToken)
    {
        var latest = await PreflightStore.ReadLatestAsync(dataSource, rollout, stable, canary, cancellationToken).ConfigureAwait(false);
        if (skippedBy is not null)
        {
            await PreflightStore.InsertSkipAsync(
                dataSource, rollout, stable, canary, skippedBy, time.GetUtcNow(),
                latest is null ? null : $"{latest.Verdict} at {latest.FinishedAt:u}", cancellationToken).ConfigureAwait(false);
            return $"preflight skipped by {skippedBy} (recorded)";
        }

        if (latest is null)
        {
            throw new PreflightRequiredException(
                $"no preflight for rollout \"{rollout}\" with stable \"{stable}\" and canary \"{canary}\": run 'canary-analyzer preflight' first, or pass --skip-preflight");
        }

        if (latest.Verdict != "pass")
        {
            throw new PreflightRequiredException(
                $"the newest preflight for rollout \"{rollout}\" ({stable} vs {canary}, {latest.FinishedAt:u}) is \"{latest.Verdict}\": {latest.Reason}; fix and run it again, or pass --skip-preflight");
        }

        return $"preflight passed at {latest.FinishedAt:u} on {latest.Cases} case(s)";
    }
}
