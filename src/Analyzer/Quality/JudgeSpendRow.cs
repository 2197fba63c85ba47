using Npgsql;

namespace Canary.Analyzer.Quality;

/// <summary>
/// Adds calls and their cost to a UTC day's row of <c>quality_judge_spend</c>, the total the daily cap is checked
/// against: rubric judgements, pairs and the preflight's calibration all count here, in their own transactions or none.
/// </summary>
internal static class JudgeSpendRow
{
    public static async Task AddAsync(
        NpgsqlConnection connection, NpgsqlTransaction? transaction, DateOnly day, decimal costUsd, long calls, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(
            """
            INSERT INTO quality_judge_spend (day, cost_usd, calls) VALUES ($1, $2, $3)
            ON CONFLICT (day) DO UPDATE SET cost_usd = quality_judge_spend.cost_usd + EXCLUDED.cost_usd, calls = quality_judge_spend.calls + EXCLUDED.calls
            """, connection, transaction);
        command.Parameters.Add(new NpgsqlParameter<DateOnly> { TypedValue = day });
        command.Parameters.Add(new NpgsqlParameter<decimal> { TypedValue = costUsd });
        command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = calls });
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }
}
