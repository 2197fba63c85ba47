using Canary.Contracts.Telemetry;
using Npgsql;
using NpgsqlTypes;

namespace Canary.Analyzer.Quality;

/// <summary>
/// <c>quality_judgements</c> and <c>quality_judge_spend</c>: which samples wait for the judge, what the judge cost
/// today, and each judgement with its cost, written in one statement so a stored judgement is never missing from the
/// day's spend.
/// </summary>
internal sealed class JudgementStore
{
    private readonly NpgsqlDataSource _dataSource;

    public JudgementStore(NpgsqlDataSource dataSource)
    {
        _dataSource = dataSource;
    }

    /// <summary>Applies the schema's migrations (idempotent), so a pass before any other command finds its tables.</summary>
    public Task EnsureSchemaAsync(CancellationToken cancellationToken) => SchemaMigrator.MigrateAsync(_dataSource, cancellationToken);

    /// <summary>
    /// Samples with an answer, not cut short by the exchange (<c>incomplete</c>), that have no judgement yet or whose
    /// judging failed in fewer than <paramref name="maxRunsPerSample"/> runs; oldest first, at most <paramref name="limit"/>.
    /// </summary>
    public async Task<IReadOnlyList<JudgedSample>> ReadPendingAsync(string? rollout, int maxRunsPerSample, int limit, CancellationToken cancellationToken)
    {
        await using var command = _dataSource.CreateCommand(
            """
            SELECT s.sample_id, s.rollout, s.arm, s.request_body, s.request_truncated, s.answer, s.answer_truncated,
                   CASE WHEN j.outcome = 'failed' THEN j.attempts ELSE 0 END
            FROM quality_samples s
            LEFT JOIN quality_judgements j ON j.sample_id = s.sample_id AND j.kind = $1
            WHERE NOT s.incomplete AND s.answer <> ''
              AND ($2::text IS NULL OR s.rollout = $2)
              AND (j.sample_id IS NULL OR (j.outcome = 'failed' AND j.attempts < $3))
            ORDER BY s.sampled_at, s.sample_id
            LIMIT $4
            """);
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = Judgement.RubricKind });
        command.Parameters.Add(new NpgsqlParameter { Value = (object?)rollout ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text });
        command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = maxRunsPerSample });
        command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = limit });
        var samples = new List<JudgedSample>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            samples.Add(ReadSample(reader));
        }

        return samples;
    }

    /// <summary>
    /// A waiting sample from a row whose first eight columns are <c>sample_id, rollout, arm, request_body,
    /// request_truncated, answer, answer_truncated</c> and its failed runs, as the pending queries of the judging and the
    /// pairing select them.
    /// </summary>
    internal static JudgedSample ReadSample(NpgsqlDataReader reader) => new()
    {
        SampleId = reader.GetGuid(0),
        Rollout = reader.GetString(1),
        Arm = reader.GetString(2),
        RequestBody = reader.GetString(3),
        RequestTruncated = reader.GetBoolean(4),
        Answer = reader.GetString(5),
        AnswerTruncated = reader.GetBoolean(6),
        FailedRuns = reader.GetInt32(7),
    };

    /// <summary>What the judge has cost on <paramref name="day"/> (UTC), in USD.</summary>
    public async Task<decimal> SpentOnAsync(DateOnly day, CancellationToken cancellationToken)
    {
        await using var command = _dataSource.CreateCommand("SELECT coalesce(sum(cost_usd), 0) FROM quality_judge_spend WHERE day = $1");
        command.Parameters.Add(new NpgsqlParameter<DateOnly> { TypedValue = day });
        return (decimal)(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
    }

    /// <summary>Adds calls that store no judgement (the preflight's calibration) to the day's spend.</summary>
    public async Task AddSpendAsync(DateOnly day, decimal costUsd, int calls, CancellationToken cancellationToken)
    {
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await JudgeSpendRow.AddAsync(connection, null, day, costUsd, calls, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Adds the call's cost to its day and stores the judgement, unless the sample already has one that did not fail
    /// (another analyzer judged it meanwhile): a failed judgement is replaced, and its attempts counted on. Returns
    /// whether the judgement was stored. A sample deleted meanwhile (retention, purge) is not an error: its cost is still
    /// counted, and nothing else is stored.
    /// </summary>
    public async Task<bool> WriteAsync(Judgement judgement, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(judgement);
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await JudgeSpendRow.AddAsync(connection, transaction, DateOnly.FromDateTime(judgement.JudgedAt.UtcDateTime), judgement.CostUsd, 1, cancellationToken).ConfigureAwait(false);

        int stored;
        await using (var insert = new NpgsqlCommand(
            """
            INSERT INTO quality_judgements
                (sample_id, kind, rollout, arm, judged_at, judge_model, outcome, score, passed, reason, attempts, input_tokens, output_tokens, cost_usd)
            SELECT $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 1, $11, $12, $13
            WHERE EXISTS (SELECT 1 FROM quality_samples WHERE sample_id = $1)
            ON CONFLICT (sample_id, kind) DO UPDATE SET
                judged_at = EXCLUDED.judged_at, judge_model = EXCLUDED.judge_model, outcome = EXCLUDED.outcome, score = EXCLUDED.score,
                passed = EXCLUDED.passed, reason = EXCLUDED.reason, attempts = quality_judgements.attempts + 1,
                input_tokens = EXCLUDED.input_tokens, output_tokens = EXCLUDED.output_tokens,
                cost_usd = quality_judgements.cost_usd + EXCLUDED.cost_usd
            WHERE quality_judgements.outcome = 'failed'
            """, connection, transaction))
        {
            insert.Parameters.Add(new NpgsqlParameter<Guid> { TypedValue = judgement.SampleId });
            insert.Parameters.Add(new NpgsqlParameter<string> { TypedValue = Judgement.RubricKind });
            insert.Parameters.Add(new NpgsqlParameter<string> { TypedValue = judgement.Rollout });
            insert.Parameters.Add(new NpgsqlParameter<string> { TypedValue = judgement.Arm });
            insert.Parameters.Add(new NpgsqlParameter<DateTime> { TypedValue = judgement.JudgedAt.UtcDateTime, NpgsqlDbType = NpgsqlDbType.TimestampTz });
            insert.Parameters.Add(new NpgsqlParameter<string> { TypedValue = judgement.JudgeModel });
            insert.Parameters.Add(new NpgsqlParameter<string> { TypedValue = Judgement.OutcomeName(judgement.Outcome) });
            insert.Parameters.Add(new NpgsqlParameter { Value = judgement.Score is { } score ? (object)score : DBNull.Value, NpgsqlDbType = NpgsqlDbType.Smallint });
            insert.Parameters.Add(new NpgsqlParameter { Value = judgement.Passed is { } passed ? (object)passed : DBNull.Value, NpgsqlDbType = NpgsqlDbType.Boolean });
            insert.Parameters.Add(new NpgsqlParameter<string> { TypedValue = judgement.Reason });
            insert.Parameters.Add(new NpgsqlParameter { Value = judgement.InputTokens is { } input ? (object)input : DBNull.Value, NpgsqlDbType = NpgsqlDbType.Bigint });
            insert.Parameters.Add(new NpgsqlParameter { Value = judgement.OutputTokens is { } output ? (object)output : DBNull.Value, NpgsqlDbType = NpgsqlDbType.Bigint });
            insert.Parameters.Add(new NpgsqlParameter<decimal> { TypedValue = judgement.CostUsd });
            stored = await insert.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return stored > 0;
    }
}
