using Canary.Analyzer.Rollouts;
using Canary.Contracts.Telemetry.Storage;
using Npgsql;

namespace Canary.Analyzer.Replay;

/// <summary>Writes a replay's looks to <c>replay_decisions</c> (never to the audit trail), all in one transaction.</summary>
internal static class ReplayStore
{
    public static async Task InsertAsync(NpgsqlDataSource dataSource, ReplayResult result, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        foreach (var look in result.Looks)
        {
            var d = look.Decision;
            await using var command = new NpgsqlCommand(
                """
                INSERT INTO replay_decisions (replay_id, rollout, as_of, verdict, reason, stage_index, weight_bp, target_weight_bp,
                    window_start, window_end, canary_requests, stable_requests, evidence_json)
                VALUES ($1, $2, $3, $4, $5, $6::integer, $7::integer, $8::integer, $9, $10, $11, $12, $13::jsonb)
                """,
                connection, transaction);
            command.AddText(result.ReplayId);
            command.AddText(result.Rollout);
            command.AddTime(look.AsOf);
            command.AddText(d.Verdict.ToString().ToLowerInvariant());
            command.AddText(d.Reason);
            command.AddBigint(d.StageIndex);
            command.AddBigint(d.CurrentWeightBasisPoints);
            command.AddBigint(d.TargetWeightBasisPoints);
            command.AddTime(d.WindowStart);
            command.AddTime(d.WindowEnd);
            command.AddBigint(d.CanaryRequests);
            command.AddBigint(d.StableRequests);
            command.AddText(DecisionEvidenceJson.Write(d));
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
    }
}
