using Canary.Analyzer.Push;
using Npgsql;
using NpgsqlTypes;

namespace Canary.Analyzer.Rollouts;

/// <summary>Reads and writes the analyzer's lifecycle rows, decision records and push acknowledgements.</summary>
internal static class RolloutStore
{
    public static async Task<List<RolloutProgress>> ReadProgressAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, CancellationToken cancellationToken, bool forUpdate = false)
    {
        var rows = new List<RolloutProgress>();
        var sql = "SELECT rollout, status, stage_index, stage_started_at, options_json::text, sequential_json::text, archive_at, hold_since FROM rollout_progress ORDER BY rollout"
            + (forUpdate ? " FOR UPDATE" : "");
        await using var command = new NpgsqlCommand(sql, connection, transaction);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            var (options, salt) = ProgressJson.ReadStoredOptions(reader.GetString(4));
            rows.Add(new RolloutProgress
            {
                Rollout = reader.GetString(0),
                Status = ParseStatus(reader.GetString(1)),
                StageIndex = reader.GetInt32(2),
                StageStartedAt = Utc(reader.GetDateTime(3)),
                Options = options,
                Salt = salt,
                Sequential = reader.IsDBNull(5) ? null : ProgressJson.ReadSequential(reader.GetString(5)),
                ArchiveAt = reader.IsDBNull(6) ? null : Utc(reader.GetDateTime(6)),
                HoldSince = reader.IsDBNull(7) ? null : Utc(reader.GetDateTime(7)),
            });
        }

        return rows;
    }

    public static async Task UpsertProgressAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, RolloutProgress progress, CancellationToken cancellationToken)
    {
        const string sql = """
            INSERT INTO rollout_progress (rollout, status, stage_index, stage_started_at, options_json, sequential_json, archive_at, hold_since, updated_at)
            VALUES ($1, $2, $3, $4, $5::jsonb, $6::jsonb, $7, $8, now())
            ON CONFLICT (rollout) DO UPDATE SET status = excluded.status, stage_index = excluded.stage_index,
                stage_started_at = excluded.stage_started_at, options_json = excluded.options_json,
                sequential_json = excluded.sequential_json, archive_at = excluded.archive_at, hold_since = excluded.hold_since,
                updated_at = now()
            """;
        await using var command = new NpgsqlCommand(sql, connection, transaction);
        command.Parameters.Add(Text(progress.Rollout));
        command.Parameters.Add(Text(StatusName(progress.Status)));
        command.Parameters.Add(new NpgsqlParameter { Value = progress.StageIndex, NpgsqlDbType = NpgsqlDbType.Integer });
        command.Parameters.Add(Time(progress.StageStartedAt));
        command.Parameters.Add(Text(ProgressJson.WriteOptions(progress.Options, progress.Salt)));
        command.Parameters.Add(progress.Sequential is null ? Null(NpgsqlDbType.Text) : Text(ProgressJson.WriteSequential(progress.Sequential)));
        command.Parameters.Add(progress.ArchiveAt is { } archive ? Time(archive) : Null(NpgsqlDbType.TimestampTz));
        command.Parameters.Add(progress.HoldSince is { } hold ? Time(hold) : Null(NpgsqlDbType.TimestampTz));
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    public static async Task InsertDecisionAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, DecisionRecord record, CancellationToken cancellationToken)
    {
        const string sql = """
            INSERT INTO rollout_decisions (rollout, decided_at, verdict, action, reason, stage_index, from_weight_bp, to_weight_bp,
                generation, window_start, window_end, canary_requests, stable_requests, evidence_json, dry_run)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14::jsonb, $15)
            """;
        await using var command = new NpgsqlCommand(sql, connection, transaction);
        command.Parameters.Add(Text(record.Rollout));
        command.Parameters.Add(Time(record.DecidedAt));
        command.Parameters.Add(Text(record.Verdict));
        command.Parameters.Add(Text(record.Action));
        command.Parameters.Add(Text(record.Reason));
        command.Parameters.Add(new NpgsqlParameter { Value = record.StageIndex, NpgsqlDbType = NpgsqlDbType.Integer });
        command.Parameters.Add(new NpgsqlParameter { Value = record.FromWeight, NpgsqlDbType = NpgsqlDbType.Integer });
        command.Parameters.Add(new NpgsqlParameter { Value = record.ToWeight, NpgsqlDbType = NpgsqlDbType.Integer });
        command.Parameters.Add(record.Generation is { } generation ? new NpgsqlParameter { Value = generation, NpgsqlDbType = NpgsqlDbType.Bigint } : Null(NpgsqlDbType.Bigint));
        command.Parameters.Add(Time(record.WindowStart));
        command.Parameters.Add(Time(record.WindowEnd));
        command.Parameters.Add(new NpgsqlParameter { Value = record.CanaryRequests, NpgsqlDbType = NpgsqlDbType.Bigint });
        command.Parameters.Add(new NpgsqlParameter { Value = record.StableRequests, NpgsqlDbType = NpgsqlDbType.Bigint });
        command.Parameters.Add(Text(record.EvidenceJson));
        command.Parameters.Add(new NpgsqlParameter { Value = record.DryRun, NpgsqlDbType = NpgsqlDbType.Boolean });
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    public static async Task InsertAcksAsync(NpgsqlDataSource dataSource, PushSummary summary, DateTimeOffset pushedAt, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        foreach (var result in summary.Results)
        {
            await using var command = new NpgsqlCommand(
                "INSERT INTO rollout_push_acks (generation, sidecar, endpoint, acknowledged, applied_generation, error, latency_ms, pushed_at) " +
                "VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (generation, endpoint) DO UPDATE SET acknowledged = excluded.acknowledged, " +
                "applied_generation = excluded.applied_generation, error = excluded.error, latency_ms = excluded.latency_ms, pushed_at = excluded.pushed_at",
                connection);
            command.Parameters.Add(new NpgsqlParameter { Value = summary.Generation, NpgsqlDbType = NpgsqlDbType.Bigint });
            command.Parameters.Add(Text(result.Sidecar.Name));
            command.Parameters.Add(Text($"{result.Sidecar.Address}:{result.Sidecar.Port}"));
            command.Parameters.Add(new NpgsqlParameter { Value = result.Acknowledged, NpgsqlDbType = NpgsqlDbType.Boolean });
            command.Parameters.Add(result.AppliedGeneration is { } applied ? new NpgsqlParameter { Value = applied, NpgsqlDbType = NpgsqlDbType.Bigint } : Null(NpgsqlDbType.Bigint));
            command.Parameters.Add(result.Error is null ? Null(NpgsqlDbType.Text) : Text(result.Error));
            command.Parameters.Add(new NpgsqlParameter { Value = result.Latency.TotalMilliseconds, NpgsqlDbType = NpgsqlDbType.Double });
            command.Parameters.Add(Time(pushedAt));
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>The endpoints (<c>address:port</c>) that acknowledged <paramref name="generation"/>.</summary>
    public static async Task<HashSet<string>> ReadAcknowledgedEndpointsAsync(NpgsqlDataSource dataSource, long generation, CancellationToken cancellationToken)
    {
        var endpoints = new HashSet<string>(StringComparer.Ordinal);
        await using var command = dataSource.CreateCommand("SELECT endpoint FROM rollout_push_acks WHERE generation = $1 AND acknowledged");
        command.Parameters.Add(new NpgsqlParameter { Value = generation, NpgsqlDbType = NpgsqlDbType.Bigint });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            endpoints.Add(reader.GetString(0));
        }

        return endpoints;
    }

    public static async Task<List<DecisionRecord>> ReadHistoryAsync(NpgsqlDataSource dataSource, string rollout, int limit, CancellationToken cancellationToken)
    {
        var records = new List<DecisionRecord>();
        await using var command = dataSource.CreateCommand(
            "SELECT rollout, decided_at, verdict, action, reason, stage_index, from_weight_bp, to_weight_bp, generation, window_start, window_end, " +
            "canary_requests, stable_requests, evidence_json::text, dry_run FROM rollout_decisions WHERE rollout = $1 ORDER BY id DESC LIMIT $2");
        command.Parameters.Add(Text(rollout));
        command.Parameters.Add(new NpgsqlParameter { Value = limit, NpgsqlDbType = NpgsqlDbType.Integer });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            records.Add(new DecisionRecord(
                reader.GetString(0), Utc(reader.GetDateTime(1)), reader.GetString(2), reader.GetString(3), reader.GetString(4),
                reader.GetInt32(5), reader.GetInt32(6), reader.GetInt32(7), reader.IsDBNull(8) ? null : reader.GetInt64(8),
                Utc(reader.GetDateTime(9)), Utc(reader.GetDateTime(10)), reader.GetInt64(11), reader.GetInt64(12), reader.GetString(13), reader.GetBoolean(14)));
        }

        return records;
    }

    public static string StatusName(RolloutStatus status) => status switch
    {
        RolloutStatus.Testers => "testers",
        RolloutStatus.Running => "running",
        RolloutStatus.Paused => "paused",
        RolloutStatus.RolledBack => "rolled_back",
        RolloutStatus.Finished => "finished",
        _ => "completed",
    };

    private static RolloutStatus ParseStatus(string name) => name switch
    {
        "testers" => RolloutStatus.Testers,
        "running" => RolloutStatus.Running,
        "paused" => RolloutStatus.Paused,
        "rolled_back" => RolloutStatus.RolledBack,
        "finished" => RolloutStatus.Finished,
        _ => RolloutStatus.Completed,
    };

    private static DateTimeOffset Utc(DateTime value) => new(DateTime.SpecifyKind(value, DateTimeKind.Utc));

    private static NpgsqlParameter Text(string value) => new() { Value = value, NpgsqlDbType = NpgsqlDbType.Text };

    private static NpgsqlParameter Time(DateTimeOffset value) => new() { Value = value.UtcDateTime, NpgsqlDbType = NpgsqlDbType.TimestampTz };

    private static NpgsqlParameter Null(NpgsqlDbType type) => new() { Value = DBNull.Value, NpgsqlDbType = type };
}
