using System.Text.Json;
using Canary.Analyzer.Preflight;
using Npgsql;
using NpgsqlTypes;

namespace Canary.Analyzer.Quality;

/// <summary>
/// <c>quality_pairs</c> (migration 12): where an opted-in rollout's versions can be called (its newest preflight record
/// with stored endpoints), which of its samples wait for a pair, and each pair with its cost, written together with
/// the day's spend (<c>quality_judge_spend</c>, shared with the rubric judging and its cap).
/// </summary>
internal sealed class PairStore
{
    private readonly NpgsqlDataSource _dataSource;

    public PairStore(NpgsqlDataSource dataSource)
    {
        _dataSource = dataSource;
    }

    /// <summary>
    /// Both versions of <paramref name="rollout"/> as its newest preflight that stored endpoints asked them; null with
    /// the reason when there is no such record or it cannot be used.
    /// </summary>
    public async Task<(PairEndpoints? Endpoints, string? Problem)> ReadEndpointsAsync(string rollout, PairingOptions options, CancellationToken cancellationToken)
    {
        // report_json cast to text: a plain string whatever JSON mappings the (slim, AOT) data source has.
        await using var command = _dataSource.CreateCommand(
            """
            SELECT stable_subset, canary_subset, report_json::text FROM rollout_preflights
            WHERE rollout = $1 AND jsonb_typeof(report_json -> 'stable' -> 'endpoint') = 'object' AND jsonb_typeof(report_json -> 'canary' -> 'endpoint') = 'object'
            ORDER BY id DESC LIMIT 1
            """);
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = rollout });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        if (!await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            return (null, "no preflight record with the versions' endpoints; run canary-analyzer preflight for it");
        }

        var stableSubset = reader.GetString(0);
        var canarySubset = reader.GetString(1);
        PreflightReportJson? body;
        try
        {
            body = JsonSerializer.Deserialize(reader.GetString(2), PreflightJsonContext.Default.PreflightReportJson);
        }
        catch (JsonException e)
        {
            return (null, $"its preflight record cannot be read ({e.Message})");
        }

        if (body?.Stable?.Endpoint is not { } stableJson || body.Canary?.Endpoint is not { } canaryJson)
        {
            return (null, "its preflight record has no endpoints");
        }

        var (stable, stableProblem) = stableJson.ToEndpoint("stable", stableSubset, options.StableApiKey);
        var (canary, canaryProblem) = canaryJson.ToEndpoint("canary", canarySubset, options.CanaryApiKey);
        return stable is null || canary is null
            ? (null, "its preflight record: " + (stableProblem ?? canaryProblem))
            : (new PairEndpoints(rollout, stable, canary), null);
    }

    /// <summary>
    /// Samples of the two versions in <paramref name="endpoints"/> with an answer, not cut short by the exchange, that
    /// have no pair yet or whose pairing failed in fewer than <paramref name="maxRunsPerSample"/> runs; oldest first,
    /// at most <paramref name="limit"/>.
    /// </summary>
    public async Task<IReadOnlyList<PairCandidate>> ReadPendingAsync(PairEndpoints endpoints, int maxRunsPerSample, int limit, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        await using var command = _dataSource.CreateCommand(
            """
            SELECT s.sample_id, s.rollout, s.arm, s.request_body, s.request_truncated, s.answer, s.answer_truncated,
                   CASE WHEN p.outcome = 'failed' THEN p.attempts ELSE 0 END, p.other_answer
            FROM quality_samples s
            LEFT JOIN quality_pairs p ON p.sample_id = s.sample_id
            WHERE s.rollout = $1 AND NOT s.incomplete AND s.answer <> ''
              AND ((s.arm = 'stable' AND s.subset = $2) OR (s.arm = 'canary' AND s.subset = $3))
              AND (p.sample_id IS NULL OR (p.outcome = 'failed' AND p.attempts < $4))
            ORDER BY s.sampled_at, s.sample_id
            LIMIT $5
            """);
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = endpoints.Rollout });
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = endpoints.Stable.Subset });
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = endpoints.Canary.Subset });
        command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = maxRunsPerSample });
        command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = limit });
        var samples = new List<PairCandidate>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            var sample = JudgementStore.ReadSample(reader);
            var stored = reader.IsDBNull(8) ? null : reader.GetString(8);
            samples.Add(new PairCandidate(sample, string.IsNullOrEmpty(stored) ? null : stored));
        }

        return samples;
    }

    /// <summary>
    /// Adds the pair's cost to its day and stores the pair, unless the sample already has one that did not fail
    /// (another analyzer paired it meanwhile): a failed pair is replaced, its attempts and cost counted on. A sample
    /// deleted meanwhile (retention, purge) is not an error: the cost is still counted, nothing else is stored.
    /// </summary>
    public async Task<bool> WriteAsync(QualityPair pair, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(pair);
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await JudgeSpendRow.AddAsync(connection, transaction, DateOnly.FromDateTime(pair.PairedAt.UtcDateTime), pair.CostUsd, pair.Calls, cancellationToken).ConfigureAwait(false);

        int stored;
        await using (var insert = new NpgsqlCommand(
            """
            INSERT INTO quality_pairs
                (sample_id, rollout, arm, paired_at, judge_model, outcome, canary_first, stable_first, result, reason, other_answer, attempts, cost_usd)
            SELECT $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, 1, $12
            WHERE EXISTS (SELECT 1 FROM quality_samples WHERE sample_id = $1)
            ON CONFLICT (sample_id) DO UPDATE SET
                paired_at = EXCLUDED.paired_at, judge_model = EXCLUDED.judge_model, outcome = EXCLUDED.outcome,
                canary_first = EXCLUDED.canary_first, stable_first = EXCLUDED.stable_first, result = EXCLUDED.result,
                reason = EXCLUDED.reason, other_answer = EXCLUDED.other_answer, attempts = quality_pairs.attempts + 1,
                cost_usd = quality_pairs.cost_usd + EXCLUDED.cost_usd
            WHERE quality_pairs.outcome = 'failed'
            """, connection, transaction))
        {
            insert.Parameters.Add(new NpgsqlParameter<Guid> { TypedValue = pair.SampleId });
            insert.Parameters.Add(new NpgsqlParameter<string> { TypedValue = pair.Rollout });
            insert.Parameters.Add(new NpgsqlParameter<string> { TypedValue = pair.Arm });
            insert.Parameters.Add(new NpgsqlParameter<DateTime> { TypedValue = pair.PairedAt.UtcDateTime, NpgsqlDbType = NpgsqlDbType.TimestampTz });
            insert.Parameters.Add(new NpgsqlParameter<string> { TypedValue = pair.JudgeModel });
            insert.Parameters.Add(new NpgsqlParameter<string> { TypedValue = PairOrder.Name(pair.Outcome) });
            insert.Parameters.Add(OptionalText(pair.CanaryFirst is { } canaryFirst ? PairOrder.Name(canaryFirst) : null));
            insert.Parameters.Add(OptionalText(pair.StableFirst is { } stableFirst ? PairOrder.Name(stableFirst) : null));
            insert.Parameters.Add(OptionalText(pair.Result is { } result ? PairOrder.Name(result) : null));
            insert.Parameters.Add(new NpgsqlParameter<string> { TypedValue = pair.Reason });
            insert.Parameters.Add(new NpgsqlParameter<string> { TypedValue = pair.OtherAnswer });
            insert.Parameters.Add(new NpgsqlParameter<decimal> { TypedValue = pair.CostUsd });
            stored = await insert.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return stored > 0;
    }

    private static NpgsqlParameter OptionalText(string? value) => new() { Value = value is null ? DBNull.Value : value, NpgsqlDbType = NpgsqlDbType.Text };
}
