using Npgsql;

namespace Canary.IntegrationTests.Quality;

/// <summary>One row of <c>quality_samples</c> as a test reads it back (the columns a test compares).</summary>
internal sealed record StoredQualitySample(
    string Rollout,
    string Subset,
    string Arm,
    int Bucket,
    string SidecarId,
    int Status,
    string FinishReason,
    long? InputTokens,
    long? OutputTokens,
    bool Incomplete,
    string RequestBody,
    bool RequestTruncated,
    string Answer,
    bool AnswerTruncated)
{
    /// <summary>Every stored sample, ordered by rollout and request body; none while the sidecar has not made the table yet.</summary>
    public static async Task<List<StoredQualitySample>> ReadAllAsync(NpgsqlDataSource dataSource)
    {
        var rows = new List<StoredQualitySample>();
        try
        {
            await using var command = dataSource.CreateCommand("""
                SELECT rollout, subset, arm, bucket, sidecar_id, status, finish_reason, input_tokens, output_tokens, incomplete,
                       request_body, request_truncated, answer, answer_truncated
                FROM quality_samples ORDER BY rollout, request_body
                """);
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                rows.Add(new StoredQualitySample(
                    reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetInt32(3), reader.GetString(4), reader.GetInt32(5),
                    reader.GetString(6), reader.IsDBNull(7) ? null : reader.GetInt64(7), reader.IsDBNull(8) ? null : reader.GetInt64(8),
                    reader.GetBoolean(9), reader.GetString(10), reader.GetBoolean(11), reader.GetString(12), reader.GetBoolean(13)));
            }
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UndefinedTable)
        {
            // The sidecar migrates the schema before its first write.
        }

        return rows;
    }

    /// <summary>How many samples each rollout has.</summary>
    public static async Task<Dictionary<string, long>> CountByRolloutAsync(NpgsqlDataSource dataSource)
    {
        var counts = new Dictionary<string, long>();
        await using var command = dataSource.CreateCommand("SELECT rollout, count(*) FROM quality_samples GROUP BY rollout");
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            counts[reader.GetString(0)] = reader.GetInt64(1);
        }

        return counts;
    }
}
