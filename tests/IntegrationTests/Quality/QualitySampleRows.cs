using Canary.Contracts.Telemetry;
using Npgsql;

namespace Canary.IntegrationTests.Quality;

/// <summary>Quality samples put straight into a fresh database, for the analyzer's purge and retention to delete.</summary>
internal static class QualitySampleRows
{
    /// <summary>Migrates the schema and inserts one sample of <paramref name="rollout"/> taken <paramref name="age"/> ago.</summary>
    public static async Task InsertAsync(NpgsqlDataSource dataSource, string rollout, TimeSpan age)
    {
        await SchemaMigrator.MigrateAsync(dataSource);
        await using var command = dataSource.CreateCommand("""
            INSERT INTO quality_samples (sample_id, rollout, subset, arm, bucket, sidecar_id, sampled_at, status, finish_reason,
                input_tokens, output_tokens, refusal, incomplete, request_body, request_truncated, answer, answer_truncated)
            VALUES ($1, $2, 'v2', 'canary', 17, 'sidecar-0', now() - $3, 200, 'stop', 7, 3, false, false, '{"messages":[]}', false, 'hello', false)
            """);
        command.Parameters.Add(new NpgsqlParameter<Guid> { TypedValue = Guid.NewGuid() });
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = rollout });
        command.Parameters.Add(new NpgsqlParameter<TimeSpan> { TypedValue = age });
        await command.ExecuteNonQueryAsync();
    }
}
