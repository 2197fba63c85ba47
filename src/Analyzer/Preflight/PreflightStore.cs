using Canary.Contracts.Telemetry;
using Npgsql;
using NpgsqlTypes;

namespace Canary.Analyzer.Preflight;

/// <summary>Reads and writes the rollouts' stage-1 records (table <c>rollout_preflights</c>, migration 5).</summary>
internal static class PreflightStore
{
    public const string SkippedVerdict = "skipped";

    public static async Task<long> InsertAsync(NpgsqlDataSource dataSource, PreflightReport report, string json, CancellationToken cancellationToken)
    {
        await SchemaMigrator.MigrateAsync(dataSource, cancellationToken).ConfigureAwait(false);
        return await InsertRowAsync(
            dataSource, report.Rollout, report.Stable.Subset, report.Canary.Subset, PreflightReport.VerdictName(report.Verdict), report.Reason,
            report.StartedAt, report.FinishedAt, report.TestSet, report.TestSetSha256, report.Stable.Cases, skippedBy: null, json, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Records that an operator started a rollout past stage 1 without a passing preflight.</summary>
    public static async Task<long> InsertSkipAsync(
        NpgsqlDataSource dataSource, string rollout, string stable, string canary, string by, DateTimeOffset at, string? previous, CancellationToken cancellationToken)
    {
        await SchemaMigrator.MigrateAsync(dataSource, cancellationToken).ConfigureAwait(false);
        var reason = $"preflight skipped with --skip-preflight by {by}" + (previous is null ? "" : $" (the newest preflight was {previous})");
        return await InsertRowAsync(dataSource, rollout, stable, canary, SkippedVerdict, reason, at, at, null, null, 0, by, "{}", cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The newest record for this rollout and these two versions, or null when there is none.</summary>
    public static async Task<PreflightRecord?> ReadLatestAsync(NpgsqlDataSource dataSource, string rollout, string stable, string canary, CancellationToken cancellationToken)
    {
        await SchemaMigrator.MigrateAsync(dataSource, cancellationToken).ConfigureAwait(false);
        await using var command = dataSource.CreateCommand(
            "SELECT id, rollout, stable_subset, canary_subset, verdict, reason, started_at, finished_at, cases, skipped_by FROM rollout_preflights " +
            "WHERE rollout = $1 AND stable_subset = $2 AND canary_subset = $3 ORDER BY id DESC LIMIT 1");
        command.Parameters.Add(Text(rollout));
        command.Parameters.Add(Text(stable));
        command.Parameters.Add(Text(canary));
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        if (!await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            return null;
        }

        return new PreflightRecord(
            reader.GetInt64(0), reader.GetString(1), reader.GetString(2), reader.GetString(3), reader.GetString(4), reader.GetString(5),
            Utc(reader.GetDateTime(6)), Utc(reader.GetDateTime(7)), reader.GetInt32(8), reader.IsDBNull(9) ? null : reader.GetString(9));
    }

    /// <summary>
    /// The newest record for this rollout, with its details, for reports: for these two versions when given, else of
    /// any versions. Null when there is none.
    /// </summary>
    public static async Task<StoredPreflight?> ReadStoredAsync(
        NpgsqlDataSource dataSource, string rollout, (string Stable, string Canary)? versions, CancellationToken cancellationToken)
    {
        await SchemaMigrator.MigrateAsync(dataSource, cancellationToken).ConfigureAwait(false);
        // report_json cast to text: a plain string whatever JSON mappings the (slim, AOT) data source has; PreflightJson parses it.
        await using var command = dataSource.CreateCommand(
            "SELECT rollout, stable_subset, canary_subset, verdict, reason, started_at, finished_at, cases, skipped_by, test_set, test_set_sha256, report_json::text " +
            "FROM rollout_preflights WHERE rollout = $1" + (versions is null ? "" : " AND stable_subset = $2 AND canary_subset = $3") + " ORDER BY id DESC LIMIT 1");
        command.Parameters.Add(Text(rollout));
        if (versions is { } pair)
        {
            command.Parameters.Add(Text(pair.Stable));
            command.Parameters.Add(Text(pair.Canary));
        }

        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        if (!await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            return null;
        }

        var row = new StoredPreflight
        {
            Rollout = reader.GetString(0),
            StableSubset = reader.GetString(1),
            CanarySubset = reader.GetString(2),
            Verdict = reader.GetString(3),
            Reason = reader.GetString(4),
            StartedAt = Utc(reader.GetDateTime(5)),
            FinishedAt = Utc(reader.GetDateTime(6)),
            Cases = reader.GetInt32(7),
            SkippedBy = reader.IsDBNull(8) ? null : reader.GetString(8),
            TestSet = reader.IsDBNull(9) ? null : reader.GetString(9),
            TestSetSha256 = reader.IsDBNull(10) ? null : reader.GetString(10),
        };
        return PreflightJson.Read(row, reader.GetString(11));
    }

    private static async Task<long> InsertRowAsync(
        NpgsqlDataSource dataSource, string rollout, string stable, string canary, string verdict, string reason, DateTimeOffset startedAt,
        DateTimeOffset finishedAt, string? testSet, string? sha256, int cases, string? skippedBy, string json, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(
            "INSERT INTO rollout_preflights (rollout, stable_subset, canary_subset, verdict, reason, started_at, finished_at, test_set, test_set_sha256, cases, skipped_by, report_json) " +
            "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12::jsonb) RETURNING id");
        command.Parameters.Add(Text(rollout));
        command.Parameters.Add(Text(stable));
        command.Parameters.Add(Text(canary));
        command.Parameters.Add(Text(verdict));
        command.Parameters.Add(Text(reason));
        command.Parameters.Add(Time(startedAt));
        command.Parameters.Add(Time(finishedAt));
        command.Parameters.Add(OptionalText(testSet));
        command.Parameters.Add(OptionalText(sha256));
        command.Parameters.Add(new NpgsqlParameter { Value = cases, NpgsqlDbType = NpgsqlDbType.Integer });
        command.Parameters.Add(OptionalText(skippedBy));
        command.Parameters.Add(Text(json));
        return (long)(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
    }

    private static DateTimeOffset Utc(DateTime value) => new(DateTime.SpecifyKind(value, DateTimeKind.Utc));

    private static NpgsqlParameter Text(string value) => new() { Value = value, NpgsqlDbType = NpgsqlDbType.Text };

    private static NpgsqlParameter OptionalText(string? value) => new() { Value = value is null ? DBNull.Value : value, NpgsqlDbType = NpgsqlDbType.Text };

    private static NpgsqlParameter Time(DateTimeOffset value) => new() { Value = value.UtcDateTime, NpgsqlDbType = NpgsqlDbType.TimestampTz };
}
