using Canary.Contracts.Telemetry;
using Npgsql;

namespace Canary.Analyzer.Quality;

/// <summary>
/// The analyzer's side of <c>quality_samples</c> (written by the sidecars): retention and the purge command. Samples
/// hold users' requests and the models' answers, redacted, so they are kept only as long as they are needed.
/// </summary>
internal static class QualitySampleStore
{
    /// <summary>Deletes samples taken before <paramref name="cutoff"/>; returns how many.</summary>
    public static async Task<long> DeleteOlderThanAsync(NpgsqlDataSource dataSource, DateTimeOffset cutoff, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("DELETE FROM quality_samples WHERE sampled_at < $1");
        command.Parameters.Add(new NpgsqlParameter<DateTime> { TypedValue = cutoff.UtcDateTime, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.TimestampTz });
        return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Deletes every sample of <paramref name="rollout"/>, or of every rollout when null; returns how many.</summary>
    public static async Task<long> PurgeAsync(NpgsqlDataSource dataSource, string? rollout, CancellationToken cancellationToken)
    {
        await SchemaMigrator.MigrateAsync(dataSource, cancellationToken).ConfigureAwait(false);
        await using var command = rollout is null
            ? dataSource.CreateCommand("DELETE FROM quality_samples")
            : dataSource.CreateCommand("DELETE FROM quality_samples WHERE rollout = $1");
        if (rollout is not null)
        {
            command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = rollout });
        }

        return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }
}
