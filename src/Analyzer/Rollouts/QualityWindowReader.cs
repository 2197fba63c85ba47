using Canary.Analyzer.Decisions;
using Canary.Contracts.Telemetry;
using Npgsql;
using NpgsqlTypes;

namespace Canary.Analyzer.Rollouts;

/// <summary>
/// Reads the quality guards' evidence of one rollout over an analysis window: the rubric judgements and the paired
/// comparisons of the quality samples taken in [from, to) (by <c>quality_samples.sampled_at</c>, the same window as the
/// telemetry), per arm and per user group (the sample's bucket mod <see cref="UserGroups.Count"/>). Both queries group
/// in PostgreSQL, so what comes back is at most arms × groups × outcomes rows, however many samples there are.
/// </summary>
internal static class QualityWindowReader
{
    private static readonly string JudgementsSql = $"""
        SELECT s.arm, s.bucket % {UserGroups.Count}, j.outcome, j.score, j.passed, count(*)
        FROM quality_samples s
        JOIN quality_judgements j ON j.sample_id = s.sample_id AND j.kind = 'rubric'
        WHERE s.rollout = $1 AND s.sampled_at >= $2 AND s.sampled_at < $3
        GROUP BY 1, 2, 3, 4, 5
        """;

    private static readonly string PairsSql = $"""
        SELECT s.arm, s.bucket % {UserGroups.Count}, p.outcome, p.result, count(*)
        FROM quality_samples s
        JOIN quality_pairs p ON p.sample_id = s.sample_id
        WHERE s.rollout = $1 AND s.sampled_at >= $2 AND s.sampled_at < $3
        GROUP BY 1, 2, 3, 4
        """;

    public static async Task<(ArmQuality Canary, ArmQuality Stable)> ReadAsync(
        NpgsqlConnection connection, NpgsqlTransaction? transaction, string rollout, DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken)
    {
        var canary = new ArmQualityTally();
        var stable = new ArmQualityTally();
        if (to <= from)
        {
            return (canary.Build(), stable.Build());
        }

        await using (var command = Command(connection, transaction, JudgementsSql, rollout, from, to))
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
        {
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                var tally = reader.GetString(0) == "canary" ? canary : stable;
                var bucket = reader.GetInt32(1);
                var outcome = reader.GetString(2);
                var count = reader.GetInt64(5);
                switch (outcome)
                {
                    case "judged":
                        tally.AddJudged(bucket, reader.GetInt16(3), reader.GetBoolean(4), count);
                        break;
                    case "unparseable" or "failed":
                        tally.AddUnusableJudgement(outcome == "unparseable", count);
                        break;
                }
            }
        }

        await using (var command = Command(connection, transaction, PairsSql, rollout, from, to))
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
        {
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                var tally = reader.GetString(0) == "canary" ? canary : stable;
                var bucket = reader.GetInt32(1);
                var outcome = reader.GetString(2);
                var count = reader.GetInt64(4);
                if (outcome == "decided")
                {
                    tally.AddPair(bucket, reader.GetString(3), count);
                }
                else
                {
                    tally.AddUndecidedPair(outcome, count);
                }
            }
        }

        return (canary.Build(), stable.Build());
    }

    private static NpgsqlCommand Command(NpgsqlConnection connection, NpgsqlTransaction? transaction, string sql, string rollout, DateTimeOffset from, DateTimeOffset to)
    {
        var command = new NpgsqlCommand(sql, connection, transaction);
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = rollout });
        command.Parameters.Add(new NpgsqlParameter<DateTime> { TypedValue = from.UtcDateTime, NpgsqlDbType = NpgsqlDbType.TimestampTz });
        command.Parameters.Add(new NpgsqlParameter<DateTime> { TypedValue = to.UtcDateTime, NpgsqlDbType = NpgsqlDbType.TimestampTz });
        return command;
    }
}
