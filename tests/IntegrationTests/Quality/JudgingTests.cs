using System.Text.Json;
using Canary.Analyzer.Cli;
using Canary.Analyzer.Configuration;
using Canary.Contracts.Telemetry;
using Canary.IntegrationTests.Postgres;
using Canary.IntegrationTests.Processes;
using Npgsql;

namespace Canary.IntegrationTests.Quality;

/// <summary>
/// Judging against real PostgreSQL and a real (fake) judge over HTTP, through the analyzer's own commands: samples are
/// written to <c>quality_samples</c> as the sidecars write them, then <c>judge</c> or <c>run-once</c> runs in process.
/// Every outcome follows from the judge's mode and the samples' markers; nothing depends on timing.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class JudgingTests : IAsyncLifetime
{
    private static readonly DateOnly Day = new(2030, 3, 14);

    /// <summary>1000 input tokens at $4/M and 20 output tokens at $50/M: $0.005 per call.</summary>
    private const decimal CostPerCall = 0.005m;

    private readonly PostgresServerFixture _postgres;
    private readonly DirectoryInfo _directory = Directory.CreateTempSubdirectory("canary-judging.");
    private NpgsqlDataSource _dataSource = null!;
    private FakeJudgeServer _judge = null!;

    public JudgingTests(PostgresServerFixture postgres)
    {
        _postgres = postgres;
    }

    public async Task InitializeAsync()
    {
        _dataSource = await _postgres.CreateDatabaseAsync();
        await SchemaMigrator.MigrateAsync(_dataSource);
        _judge = await FakeJudgeServer.StartAsync();
    }

    public async Task DisposeAsync()
    {
        await _judge.DisposeAsync();
        await _dataSource.DisposeAsync();
        _directory.Delete(recursive: true);
    }

    [PostgresFact]
    public async Task Judge_PendingSamples_ScoresAndCostsStoredAndNeverJudgedTwice()
    {
        var good = await InsertSampleAsync("canary", "Paris is the capital of France. [quality:5]");
        var poor = await InsertSampleAsync("stable", "I am not sure. [quality:2]");
        var cut = await InsertSampleAsync("canary", "Paris is", incomplete: true);
        var empty = await InsertSampleAsync("stable", "");

        var first = await RunAsync("judge");
        var second = await RunAsync("judge");

        Assert.Equal(ExitCodes.Ok, first.Code);
        Assert.Contains("judging: 2 judged, 0 unparseable, 0 failed of 2 waiting sample(s)", first.Out, StringComparison.Ordinal);
        Assert.Contains("spent $0.01 this run, $0.01 of the $1.00 daily cap today", first.Out, StringComparison.Ordinal);
        Assert.Contains("judging: 0 judged, 0 unparseable, 0 failed of 0 waiting sample(s)", second.Out, StringComparison.Ordinal);
        Assert.Equal(2, _judge.Requests.Count);
        var rows = await JudgementsAsync();
        Assert.Equal(2, rows.Count);
        Assert.Equal(new JudgementRow("chat", "canary", "judged", 5, true, "marker says 5", 1, FakeJudgeServer.InputTokens, FakeJudgeServer.OutputTokens, CostPerCall, "judge-model"), rows[good]);
        Assert.Equal(new JudgementRow("chat", "stable", "judged", 2, false, "marker says 2", 1, FakeJudgeServer.InputTokens, FakeJudgeServer.OutputTokens, CostPerCall, "judge-model"), rows[poor]);
        Assert.False(rows.ContainsKey(cut));
        Assert.False(rows.ContainsKey(empty));
        Assert.Equal(2 * CostPerCall, await SpendAsync());
        Assert.All(_judge.Authorizations, a => Assert.Equal("Bearer judge-secret", a));
        Assert.DoesNotContain("judge-secret", first.Out + first.Err, StringComparison.Ordinal);
    }

    [PostgresFact]
    public async Task Judge_Requests_CarryRubricRequestAndAnswerButNoArmRolloutOrModel()
    {
        await InsertSampleAsync("canary", "It is 4. [quality:4]");

        await RunAsync("judge");

        var request = Assert.Single(_judge.Requests);
        using var document = JsonDocument.Parse(request);
        var root = document.RootElement;
        Assert.Equal("judge-model", root.GetProperty("model").GetString());
        Assert.Equal("json_schema", root.GetProperty("response_format").GetProperty("type").GetString());
        var prompt = root.GetProperty("messages")[0].GetProperty("content").GetString() + root.GetProperty("messages")[1].GetProperty("content").GetString();
        Assert.Contains("Rubric: score 5 for a right answer.", prompt, StringComparison.Ordinal);
        Assert.Contains("user: What is 2 + 2?", prompt, StringComparison.Ordinal);
        Assert.Contains("It is 4. [quality:4]", prompt, StringComparison.Ordinal);
        Assert.DoesNotContain("canary", prompt, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("stable", prompt, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("chat-v2", prompt, StringComparison.Ordinal);
        Assert.DoesNotContain("\"chat\"", prompt, StringComparison.Ordinal);
    }

    [PostgresFact]
    public async Task Judge_DailySpendCapReached_JudgingStopsForTheDay()
    {
        for (var i = 0; i < 5; i++)
        {
            await InsertSampleAsync(i % 2 == 0 ? "canary" : "stable", $"answer {i} [quality:4]");
        }

        // $0.012 cap, $0.005 a call, one call at a time: calls start at $0, $0.005 and $0.010, then the day is at $0.015.
        var first = await RunAsync("judge", "--Canary:Judge:DailySpendCapUsd=0.012", "--Canary:Judge:Concurrency=1");
        var second = await RunAsync("judge", "--Canary:Judge:DailySpendCapUsd=0.012", "--Canary:Judge:Concurrency=1");

        Assert.Equal(ExitCodes.Ok, first.Code);
        Assert.Contains("judging: 3 judged, 0 unparseable, 0 failed of 5 waiting sample(s)", first.Out, StringComparison.Ordinal);
        Assert.Contains("judging: daily spend cap reached: judging stopped until 00:00 UTC; 2 sample(s) not sent", first.Out, StringComparison.Ordinal);
        Assert.Contains("judging: 0 judged, 0 unparseable, 0 failed of 2 waiting sample(s)", second.Out, StringComparison.Ordinal);
        Assert.Contains("2 sample(s) not sent", second.Out, StringComparison.Ordinal);
        Assert.Equal(3, _judge.Requests.Count);
        Assert.Equal(3 * CostPerCall, await SpendAsync());

        // The next UTC day has its own budget.
        var nextDay = await RunAsync(Day.AddDays(1), "judge", "--Canary:Judge:DailySpendCapUsd=0.012", "--Canary:Judge:Concurrency=1");
        Assert.Contains("judging: 2 judged", nextDay.Out, StringComparison.Ordinal);
    }

    [PostgresFact]
    public async Task Judge_GarbageOrOutOfRange_StoredAsUnparseableNeverAsAScoreAndNotSentAgain()
    {
        var garbage = await InsertSampleAsync("canary", "answer [quality:5]");
        _judge.Mode = FakeJudgeMode.Garbage;
        var first = await RunAsync("judge");
        var outOfRange = await InsertSampleAsync("stable", "answer [quality:5]");
        _judge.Mode = FakeJudgeMode.OutOfRange;
        var second = await RunAsync("judge");
        _judge.Mode = FakeJudgeMode.Verdicts;
        var third = await RunAsync("judge");

        Assert.Contains("judging: 0 judged, 1 unparseable, 0 failed of 1 waiting sample(s)", first.Out, StringComparison.Ordinal);
        Assert.Contains("judging: 0 judged, 1 unparseable, 0 failed of 1 waiting sample(s)", second.Out, StringComparison.Ordinal);
        Assert.Contains("of 0 waiting sample(s)", third.Out, StringComparison.Ordinal);
        var rows = await JudgementsAsync();
        Assert.Equal("unparseable", rows[garbage].Outcome);
        Assert.Null(rows[garbage].Score);
        Assert.Null(rows[garbage].Passed);
        Assert.StartsWith("no JSON object in the judge's reply", rows[garbage].Reason, StringComparison.Ordinal);
        Assert.Equal(CostPerCall, rows[garbage].CostUsd);
        Assert.Equal("unparseable", rows[outOfRange].Outcome);
        Assert.Null(rows[outOfRange].Score);
        Assert.Equal("the score 9 is outside 1 to 5", rows[outOfRange].Reason);
        Assert.Equal(2, _judge.Requests.Count);
    }

    [PostgresFact]
    public async Task RunOnce_JudgeDown_FailedStoredRunSucceedsAndLaterRunsRetryUpToTheBound()
    {
        var sample = await InsertSampleAsync("canary", "answer [quality:4]");
        _judge.Mode = FakeJudgeMode.ServerError;

        var first = await RunAsync("run-once", "--Canary:Judge:MaxAttemptsPerCall=2", "--Canary:Judge:MaxRunsPerSample=2");
        var afterFirst = (await JudgementsAsync())[sample];
        var second = await RunAsync("run-once", "--Canary:Judge:MaxAttemptsPerCall=2", "--Canary:Judge:MaxRunsPerSample=2");
        var third = await RunAsync("run-once", "--Canary:Judge:MaxAttemptsPerCall=2", "--Canary:Judge:MaxRunsPerSample=2");

        Assert.Equal(ExitCodes.Ok, first.Code);
        Assert.Contains("no running rollout", first.Out, StringComparison.Ordinal);
        Assert.Contains("judging: 0 judged, 0 unparseable, 1 failed of 1 waiting sample(s)", first.Out, StringComparison.Ordinal);
        Assert.Contains("judge calls failed (last: 500 Internal Server Error (after 2 attempts))", first.Out, StringComparison.Ordinal);
        Assert.Equal(new JudgementRow("chat", "canary", "failed", null, null, "500 Internal Server Error (after 2 attempts)", 1, null, null, 0m, "judge-model"), afterFirst);
        Assert.Equal(ExitCodes.Ok, second.Code);
        Assert.Equal(2, (await JudgementsAsync())[sample].Attempts);
        Assert.Equal(ExitCodes.Ok, third.Code);
        Assert.Contains("of 0 waiting sample(s)", third.Out, StringComparison.Ordinal);
        Assert.Equal(4, _judge.Requests.Count);
    }

    [PostgresFact]
    public async Task Judge_FailedEarlier_JudgedOnceTheJudgeIsBack()
    {
        var sample = await InsertSampleAsync("stable", "answer [quality:5]");
        _judge.Mode = FakeJudgeMode.Hang;
        var first = await RunAsync("judge", "--Canary:Judge:MaxAttemptsPerCall=1", "--Canary:Judge:CallTimeout=0.2s");
        _judge.Mode = FakeJudgeMode.Verdicts;
        var second = await RunAsync("judge");

        Assert.Equal(ExitCodes.Ok, first.Code);
        Assert.Contains("judge calls failed (last: no answer within 0.2s (after 1 attempt))", first.Out, StringComparison.Ordinal);
        Assert.Contains("judging: 1 judged", second.Out, StringComparison.Ordinal);
        var row = (await JudgementsAsync())[sample];
        Assert.Equal("judged", row.Outcome);
        Assert.Equal((short)5, row.Score);
        Assert.Equal(2, row.Attempts);
    }

    [PostgresFact]
    public async Task RunOnce_NoJudgeConfigured_NoJudgingAndNoJudgingOutput()
    {
        await InsertSampleAsync("canary", "answer");

        var run = await RunAsync(Day, ["run-once"], judge: false);

        Assert.Equal(ExitCodes.Ok, run.Code);
        Assert.DoesNotContain("judging", run.Out, StringComparison.Ordinal);
        Assert.Empty(_judge.Requests);
        Assert.Empty(await JudgementsAsync());
    }

    [PostgresFact]
    public async Task PurgeSamples_JudgementsGoWithTheirSamplesButTheDaysSpendStays()
    {
        await InsertSampleAsync("canary", "answer [quality:4]");
        await RunAsync("judge");

        var purge = await RunAsync(Day, ["purge-samples", "--rollout", "chat"], judge: false);

        Assert.Equal(ExitCodes.Ok, purge.Code);
        Assert.Empty(await JudgementsAsync());
        Assert.Equal(CostPerCall, await SpendAsync());
    }

    [PostgresFact]
    public async Task Serve_JudgeConfigured_EachRunJudgesBeforeItDecides()
    {
        // On the real clock, as serve's child process runs.
        var start = await AnalyzerRun.RunAsync(["start", "--skip-preflight", "--route", "chat", "--stable", "v1", "--canary", "v2", "--database", _dataSource.ConnectionString]);
        Assert.True(start.ExitCode == ExitCodes.Ok, start.ToString());
        var sample = await InsertSampleAsync("canary", "answer [quality:5]");
        var rubric = Path.Combine(_directory.FullName, "serve-rubric.md");
        await File.WriteAllTextAsync(rubric, "Score 5 for a right answer.\n");
        var environment = new Dictionary<string, string>
        {
            ["Canary__Judge__Endpoint"] = _judge.BaseUri.ToString(),
            ["Canary__Judge__Model"] = "judge-model",
            ["Canary__Judge__RubricFile"] = rubric,
            ["Canary__Judge__DailySpendCapUsd"] = "1",
            ["Canary__Judge__InputPricePerMillionUsd"] = "4",
            ["Canary__Judge__OutputPricePerMillionUsd"] = "50",
        };

        await using var serve = ChildProcess.Start(CanaryProgram.Analyzer, ["serve", "--interval", "1h", "--database", _dataSource.ConnectionString], environment);
        await serve.WaitForOutputAsync("chat: hold");
        var code = await serve.TerminateAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(0, code);
        var judging = serve.Output.IndexOf("judging: 1 judged, 0 unparseable, 0 failed of 1 waiting sample(s)", StringComparison.Ordinal);
        Assert.True(judging >= 0, serve.Output + serve.Error);
        Assert.True(judging < serve.Output.IndexOf("chat: hold", StringComparison.Ordinal), serve.Output);
        Assert.Equal("judged", (await JudgementsAsync())[sample].Outcome);
    }

    private Task<(int Code, string Out, string Err)> RunAsync(params string[] args) => RunAsync(Day, args, judge: true);

    private Task<(int Code, string Out, string Err)> RunAsync(DateOnly day, params string[] args) => RunAsync(day, args, judge: true);

    private async Task<(int Code, string Out, string Err)> RunAsync(DateOnly day, string[] args, bool judge)
    {
        var rubric = Path.Combine(_directory.FullName, "rubric.md");
        await File.WriteAllTextAsync(rubric, "Rubric: score 5 for a right answer.\n");
        var key = Path.Combine(_directory.FullName, "judge-key");
        await File.WriteAllTextAsync(key, "judge-secret\n");
        string[] settings = judge
            ?
            [
                $"--Canary:Judge:Endpoint={_judge.BaseUri}", "--Canary:Judge:Model=judge-model", $"--Canary:Judge:RubricFile={rubric}",
                $"--Canary:Judge:ApiKeyFile={key}", "--Canary:Judge:DailySpendCapUsd=1", "--Canary:Judge:InputPricePerMillionUsd=4",
                "--Canary:Judge:OutputPricePerMillionUsd=50", "--Canary:Judge:RetryBackoff=0.01s", "--Canary:Judge:RequestsPerMinute=100000",
            ]
            : [];
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        // The later --Canary: argument wins, so a test's own settings override these defaults.
        var code = await AnalyzerCli.RunAsync(
            [.. args.Take(1), "--database", _dataSource.ConnectionString, .. settings, .. args.Skip(1)],
            new CliOutput(stdout, stderr),
            new CliEnvironment(AnalyzerConfiguration.ProcessEnvironment(), new FixedDayTimeProvider(day)));
        return (code, stdout.ToString(), stderr.ToString());
    }

    private async Task<Guid> InsertSampleAsync(string arm, string answer, bool incomplete = false)
    {
        var id = Guid.NewGuid();
        await using var command = _dataSource.CreateCommand(
            """
            INSERT INTO quality_samples (sample_id, rollout, subset, arm, bucket, sidecar_id, sampled_at, status, finish_reason,
                input_tokens, output_tokens, refusal, incomplete, request_body, request_truncated, answer, answer_truncated)
            VALUES ($1, 'chat', $2, $3, 42, 'sidecar-a', $4, 200, 'stop', 20, 10, false, $5, $6, false, $7, false)
            """);
        command.Parameters.Add(new NpgsqlParameter<Guid> { TypedValue = id });
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = arm == "canary" ? "v2" : "v1" });
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = arm });
        command.Parameters.Add(new NpgsqlParameter<DateTime> { TypedValue = Day.ToDateTime(new TimeOnly(11, 0), DateTimeKind.Utc), NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.TimestampTz });
        command.Parameters.Add(new NpgsqlParameter<bool> { TypedValue = incomplete });
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = $$"""{"model":"chat-{{(arm == "canary" ? "v2" : "v1")}}","messages":[{"role":"user","content":"What is 2 + 2?"}]}""" });
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = answer });
        await command.ExecuteNonQueryAsync();
        return id;
    }

    private async Task<Dictionary<Guid, JudgementRow>> JudgementsAsync()
    {
        await using var command = _dataSource.CreateCommand(
            "SELECT sample_id, rollout, arm, outcome, score, passed, reason, attempts, input_tokens, output_tokens, cost_usd, judge_model FROM quality_judgements");
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new Dictionary<Guid, JudgementRow>();
        while (await reader.ReadAsync())
        {
            rows[reader.GetGuid(0)] = new JudgementRow(
                reader.GetString(1), reader.GetString(2), reader.GetString(3), reader.IsDBNull(4) ? null : reader.GetInt16(4),
                reader.IsDBNull(5) ? null : reader.GetBoolean(5), reader.GetString(6), reader.GetInt32(7),
                reader.IsDBNull(8) ? null : reader.GetInt64(8), reader.IsDBNull(9) ? null : reader.GetInt64(9), reader.GetDecimal(10), reader.GetString(11));
        }

        return rows;
    }

    private async Task<decimal> SpendAsync()
    {
        await using var command = _dataSource.CreateCommand("SELECT coalesce(sum(cost_usd), 0) FROM quality_judge_spend");
        return (decimal)(await command.ExecuteScalarAsync())!;
    }

    private sealed record JudgementRow(
        string Rollout, string Arm, string Outcome, short? Score, bool? Passed, string Reason, int Attempts, long? InputTokens, long? OutputTokens, decimal CostUsd, string JudgeModel);
}
