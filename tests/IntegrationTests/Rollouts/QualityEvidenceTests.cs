using System.Text.Json;
using Canary.Analyzer.Decisions;
using Canary.Analyzer.Rollouts;
using Canary.Contracts.Rollouts;
using Canary.Contracts.Telemetry;
using Canary.Contracts.Telemetry.Storage;
using Canary.IntegrationTests.Postgres;
using Microsoft.Extensions.Time.Testing;
using Npgsql;

namespace Canary.IntegrationTests.Rollouts;

/// <summary>
/// The quality guards' evidence comes from the judgements and paired comparisons of the quality samples taken in the
/// analysis window, per arm and user group; a run of a rollout with a quality guard reads it and records it, and a judge
/// that failed most calls holds the guard.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class QualityEvidenceTests
{
    private const string Rollout = "quality.internal";
    private static readonly DateTimeOffset Start = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);
    private readonly PostgresServerFixture _postgres;

    public QualityEvidenceTests(PostgresServerFixture postgres) => _postgres = postgres;

    [PostgresFact]
    public async Task ReadAsync_SamplesInAndOutOfTheWindow_CountsTheWindowsJudgementsAndPairsPerArmAndGroup()
    {
        await using var dataSource = await _postgres.CreateDatabaseAsync();
        await SchemaMigrator.MigrateAsync(dataSource);
        var inWindow = Start.AddMinutes(5);
        // Canary: bucket 33 (group 1) judged 4 and passed, bucket 65 (group 1) judged 2 and failed, one failed call, one
        // unparseable; pairs: a loss, a win and a tie, one the other version could not answer.
        await SampleAsync(dataSource, Rollout, "canary", 33, inWindow, judgement: ("judged", 4, true), pair: ("decided", "loss"));
        await SampleAsync(dataSource, Rollout, "canary", 65, inWindow, judgement: ("judged", 2, false), pair: ("decided", "win"));
        await SampleAsync(dataSource, Rollout, "canary", 2, inWindow, judgement: ("failed", null, null), pair: ("decided", "tie"));
        await SampleAsync(dataSource, Rollout, "canary", 3, inWindow, judgement: ("unparseable", null, null), pair: ("other_failed", null));
        // Stable: group 7 judged 5; a pair the judge failed; one sample not judged yet.
        await SampleAsync(dataSource, Rollout, "stable", 9991, inWindow, judgement: ("judged", 5, true), pair: ("failed", null));
        await SampleAsync(dataSource, Rollout, "stable", 9000, inWindow, judgement: null, pair: null);
        // Left out: before the window, at its end, another rollout, and a judgement of another kind.
        await SampleAsync(dataSource, Rollout, "canary", 33, Start.AddMinutes(-1), judgement: ("judged", 1, false), pair: ("decided", "loss"));
        await SampleAsync(dataSource, Rollout, "canary", 33, Start.AddHours(1), judgement: ("judged", 1, false), pair: ("decided", "loss"));
        await SampleAsync(dataSource, "other.internal", "canary", 33, inWindow, judgement: ("judged", 1, false), pair: ("decided", "loss"));
        await SampleAsync(dataSource, Rollout, "stable", 40, inWindow, judgement: ("judged", 1, false), pair: null, kind: "calibration");

        await using var connection = await dataSource.OpenConnectionAsync();
        var (canary, stable) = await QualityWindowReader.ReadAsync(connection, null, Rollout, Start, Start.AddHours(1), CancellationToken.None);

        Assert.Equal([0L, 1, 0, 1, 0], canary.ScoreCounts);
        Assert.Equal((1L, 1L, 1L), (canary.Fails, canary.JudgeFailed, canary.JudgeUnparseable));
        Assert.Equal(2, canary.JudgedByGroup[1]);
        Assert.Equal(6, canary.ScoreSumByGroup[1]);
        Assert.Equal(1, canary.FailsByGroup[1]);
        Assert.Equal(2, canary.JudgedByGroup.Sum());
        Assert.Equal((1L, 1L, 1L, 0L, 0L, 1L), (canary.Wins, canary.Ties, canary.Losses, canary.PairsFailed, canary.PairsUnparseable, canary.PairsOtherFailed));
        Assert.Equal(2, canary.DecidedByGroup[1]);
        Assert.Equal(1, canary.LossesByGroup[1]);
        Assert.Equal([0L, 0, 0, 0, 1], stable.ScoreCounts);
        Assert.Equal(1, stable.JudgedByGroup[9991 % 32]);
        Assert.Equal((0L, 1L), (stable.Decided, stable.PairsFailed));
    }

    [PostgresFact]
    public async Task RunOnceAsync_QualityGuardAndAJudgeThatFailedMostCalls_HoldsSaysSoAndRecordsTheQualityEvidence()
    {
        await using var dataSource = await _postgres.CreateDatabaseAsync();
        await SchemaMigrator.MigrateAsync(dataSource);
        var time = new FakeTimeProvider(Start);
        var errors = new List<string>();
        var runner = new RolloutRunner(dataSource, new DecisionEngine(time), time, null, null);
        var options = ScheduleParser.Parse("5/1h,100", new DecisionOptions(), errors) with { WarmUp = TimeSpan.Zero };
        options = GuardSpecParser.WithGuards(options, [GuardSpecParser.Parse("judge_score_mean=10%", errors)!]);
        Assert.Empty(errors);
        await new RolloutLifecycle(dataSource, runner, time).StartAsync(new RolloutDefinition
        {
            RouteKey = Rollout, StableSubset = "stable", CanarySubset = "canary", Salt = "judge",
        }, options, default);

        time.Advance(TimeSpan.FromMinutes(1));
        await SeedRequestsAsync(dataSource, "stable", 19_950, time.GetUtcNow());
        await SeedRequestsAsync(dataSource, "canary", 1_050, time.GetUtcNow());
        for (var i = 0; i < 6; i++)
        {
            await SampleAsync(dataSource, Rollout, i % 2 == 0 ? "canary" : "stable", i, time.GetUtcNow(), judgement: ("failed", null, null), pair: null);
        }

        await SampleAsync(dataSource, Rollout, "canary", 7, time.GetUtcNow(), judgement: ("judged", 4, true), pair: null);
        time.Advance(TimeSpan.FromMinutes(1));
        var outcome = await runner.RunOnceAsync(dryRun: true, default);

        var record = Assert.Single(outcome.Decisions);
        Assert.Equal("hold", record.Action);
        Assert.StartsWith("Holding: the quality judge is unavailable for judge_score_mean: 6 of 7 judgements", record.Reason, StringComparison.Ordinal);
        Assert.Equal("judge_score_mean: 6 of 7 judgements in the window failed (6) or were unparseable (0)", Assert.Single(outcome.Looks).JudgeUnavailable);
        using var evidence = JsonDocument.Parse(record.EvidenceJson);
        var canary = evidence.RootElement.GetProperty("canary").GetProperty("quality");
        Assert.Equal(1, canary.GetProperty("judged").GetInt64());
        Assert.Equal(3, canary.GetProperty("judgeFailed").GetInt64());
        var guard = evidence.RootElement.GetProperty("guards").EnumerateArray().Single(g => g.GetProperty("key").GetString() == "judge_score_mean");
        Assert.Equal("JudgeUnavailable", guard.GetProperty("status").GetString());
        Assert.True(guard.GetProperty("quality").GetProperty("judgeUnavailable").GetBoolean());
    }

    [PostgresFact]
    public async Task RunOnceAsync_NoQualityGuard_RecordsNoQualityEvidence()
    {
        await using var dataSource = await _postgres.CreateDatabaseAsync();
        await SchemaMigrator.MigrateAsync(dataSource);
        var time = new FakeTimeProvider(Start);
        var errors = new List<string>();
        var runner = new RolloutRunner(dataSource, new DecisionEngine(time), time, null, null);
        var options = ScheduleParser.Parse("5/1h,100", new DecisionOptions(), errors) with { WarmUp = TimeSpan.Zero };
        await new RolloutLifecycle(dataSource, runner, time).StartAsync(new RolloutDefinition
        {
            RouteKey = Rollout, StableSubset = "stable", CanarySubset = "canary", Salt = "judge",
        }, options, default);
        time.Advance(TimeSpan.FromMinutes(1));
        await SampleAsync(dataSource, Rollout, "canary", 7, time.GetUtcNow(), judgement: ("judged", 4, true), pair: null);
        time.Advance(TimeSpan.FromMinutes(1));

        var outcome = await runner.RunOnceAsync(dryRun: true, default);

        using var evidence = JsonDocument.Parse(Assert.Single(outcome.Decisions).EvidenceJson);
        Assert.False(evidence.RootElement.GetProperty("canary").TryGetProperty("quality", out _));
        Assert.Null(Assert.Single(outcome.Looks).JudgeUnavailable);
    }

    private static async Task SampleAsync(
        NpgsqlDataSource dataSource,
        string rollout,
        string arm,
        int bucket,
        DateTimeOffset sampledAt,
        (string Outcome, short? Score, bool? Passed)? judgement,
        (string Outcome, string? Result)? pair,
        string kind = "rubric")
    {
        var id = Guid.NewGuid();
        await using var batch = dataSource.CreateBatch();
        var sample = new NpgsqlBatchCommand("""
            INSERT INTO quality_samples (sample_id, rollout, subset, arm, bucket, sidecar_id, sampled_at, status, finish_reason,
                input_tokens, output_tokens, refusal, incomplete, request_body, request_truncated, answer, answer_truncated)
            VALUES ($1, $2, $3, $3, $4, 'sidecar-0', $5, 200, 'stop', 7, 3, false, false, '{"messages":[]}', false, 'hello', false)
            """);
        sample.Parameters.Add(new NpgsqlParameter<Guid> { TypedValue = id });
        sample.Parameters.Add(new NpgsqlParameter<string> { TypedValue = rollout });
        sample.Parameters.Add(new NpgsqlParameter<string> { TypedValue = arm });
        sample.Parameters.Add(new NpgsqlParameter<int> { TypedValue = bucket });
        sample.Parameters.Add(new NpgsqlParameter<DateTime> { TypedValue = sampledAt.UtcDateTime, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.TimestampTz });
        batch.BatchCommands.Add(sample);
        if (judgement is { } j)
        {
            var command = new NpgsqlBatchCommand("""
                INSERT INTO quality_judgements (sample_id, kind, rollout, arm, judged_at, judge_model, outcome, score, passed, reason)
                VALUES ($1, $2, $3, $4, $5, 'judge', $6, $7, $8, 'because')
                """);
            command.Parameters.Add(new NpgsqlParameter<Guid> { TypedValue = id });
            command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = kind });
            command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = rollout });
            command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = arm });
            command.Parameters.Add(new NpgsqlParameter<DateTime> { TypedValue = sampledAt.UtcDateTime, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.TimestampTz });
            command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = j.Outcome });
            command.Parameters.Add(new NpgsqlParameter { Value = (object?)j.Score ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Smallint });
            command.Parameters.Add(new NpgsqlParameter { Value = (object?)j.Passed ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Boolean });
            batch.BatchCommands.Add(command);
        }

        if (pair is { } p)
        {
            var command = new NpgsqlBatchCommand("""
                INSERT INTO quality_pairs (sample_id, rollout, arm, paired_at, judge_model, outcome, result, reason)
                VALUES ($1, $2, $3, $4, 'judge', $5, $6, 'because')
                """);
            command.Parameters.Add(new NpgsqlParameter<Guid> { TypedValue = id });
            command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = rollout });
            command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = arm });
            command.Parameters.Add(new NpgsqlParameter<DateTime> { TypedValue = sampledAt.UtcDateTime, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.TimestampTz });
            command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = p.Outcome });
            command.Parameters.Add(new NpgsqlParameter { Value = (object?)p.Result ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Text });
            batch.BatchCommands.Add(command);
        }

        await batch.ExecuteNonQueryAsync();
    }

    private static async Task SeedRequestsAsync(NpgsqlDataSource dataSource, string subset, long requests, DateTimeOffset at)
    {
        CounterRow[] counters = [new("seed", Rollout, subset, TelemetryNames.Counter(TelemetryCounter.Requests), at.UtcDateTime, 10_000, requests)];
        await new TelemetryRowWriter(dataSource).WriteAsync([], counters, CancellationToken.None);
    }
}
