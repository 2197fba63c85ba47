using System.Globalization;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Canary.Analyzer.Cli;
using Canary.Analyzer.Configuration;
using Canary.Analyzer.Preflight;
using Canary.Contracts.Telemetry;
using Canary.IntegrationTests.Postgres;
using Canary.IntegrationTests.Preflight;
using Canary.IntegrationTests.Processes;
using Npgsql;

namespace Canary.IntegrationTests.Quality;

/// <summary>
/// Paired comparison against real PostgreSQL, a fake judge and both versions as fake model endpoints, through the
/// analyzer's own commands: <c>preflight</c> stores where the versions are, samples are written as the sidecars write
/// them, then <c>judge</c> or <c>run-once</c> pairs them. The stable version speaks OpenAI and the canary Anthropic, so
/// every replayed request crosses protocols. Which answer wins follows from the <see cref="FakeJudgeServer.PreferredMarker"/>
/// the versions put in their answers; nothing depends on timing.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed partial class PairingTests : IAsyncLifetime
{
    private static readonly DateOnly Day = new(2030, 3, 14);

    /// <summary>One judge call: 1000 input tokens at $4/M and 20 output tokens at $50/M.</summary>
    private const decimal JudgeCall = 0.005m;

    /// <summary>One call to a version: 12 input tokens at $500/M (the preflight's --*-price 500/0).</summary>
    private const decimal VersionCall = 0.006m;

    private const string Preferred = FakeJudgeServer.PreferredMarker;

    private readonly PostgresServerFixture _postgres;
    private readonly DirectoryInfo _directory = Directory.CreateTempSubdirectory("canary-pairing.");
    private NpgsqlDataSource _dataSource = null!;
    private FakeJudgeServer _judge = null!;
    private FakeModelServer _stable = null!;
    private FakeModelServer _canary = null!;
    private bool _stableDown;

    public PairingTests(PostgresServerFixture postgres)
    {
        _postgres = postgres;
    }

    public async Task InitializeAsync()
    {
        _dataSource = await _postgres.CreateDatabaseAsync();
        await SchemaMigrator.MigrateAsync(_dataSource);
        _judge = await FakeJudgeServer.StartAsync();
        // Q1: the canary's answer is the better one; Q2: stable's; anything else: the same answer from both.
        _stable = new FakeModelServer(ModelProtocol.OpenAi, request => _stableDown
            ? new FakeReply { Status = 500 }
            : new FakeReply { Text = request.Prompt == "Q2" ? $"{Preferred} Four." : "Four." });
        _canary = new FakeModelServer(ModelProtocol.Anthropic, request => new FakeReply { Text = request.Prompt == "Q1" ? $"{Preferred} Four." : "Four." });
    }

    public async Task DisposeAsync()
    {
        await _stable.DisposeAsync();
        await _canary.DisposeAsync();
        await _judge.DisposeAsync();
        await _dataSource.DisposeAsync();
        _directory.Delete(recursive: true);
    }

    [PostgresFact]
    public async Task Judge_PairedRollout_OtherVersionAskedBothOrdersJudgedWinTieLossStoredAndNeverPairedTwice()
    {
        await PreflightAsync();
        var win = await InsertSampleAsync("canary", "Q1", $"{Preferred} Four.");
        var loss = await InsertSampleAsync("stable", "Q2", $"{Preferred} Four.");
        var tie = await InsertSampleAsync("stable", "Q3", "Four.");
        var cut = await InsertSampleAsync("canary", "Q4", "Four.", incomplete: true);

        var first = await RunAsync("judge");
        var second = await RunAsync("judge");

        Assert.Equal(ExitCodes.Ok, first.Code);
        Assert.Contains(
            "pairing: 3 decided (1 win(s), 1 tie(s), 1 loss(es) for the canary), 0 unparseable, 0 other version failed, 0 failed of 3 waiting sample(s); order consistency 3 of 3 (100 %)",
            first.Out, StringComparison.Ordinal);
        Assert.Contains("pairing: 0 decided (0 win(s), 0 tie(s), 0 loss(es) for the canary), 0 unparseable, 0 other version failed, 0 failed of 0 waiting sample(s)", second.Out, StringComparison.Ordinal);
        var rows = await PairsAsync();
        Assert.Equal(3, rows.Count);
        Assert.Equal(new PairRow("chat", "canary", "decided", "canary", "canary", "win", "Four.", 1, VersionCall + 2 * JudgeCall, "judge-model"), rows[win] with { Reason = "" });
        Assert.Equal(new PairRow("chat", "stable", "decided", "stable", "stable", "loss", "Four.", 1, VersionCall + 2 * JudgeCall, "judge-model"), rows[loss] with { Reason = "" });
        Assert.Equal(new PairRow("chat", "stable", "decided", "tie", "tie", "tie", "Four.", 1, VersionCall + 2 * JudgeCall, "judge-model"), rows[tie] with { Reason = "" });
        Assert.Equal("canary shown first: marker in A | stable shown first: marker in B", rows[win].Reason);
        Assert.False(rows.ContainsKey(cut));

        // The canary sample went to stable, the stable samples to the canary, each with the key from the analyzer's settings.
        var toStable = Assert.Single(_stable.Requests, r => r.Prompt.StartsWith('Q'));
        Assert.Equal("Q1", toStable.Prompt);
        Assert.Equal("Bearer stable-secret", toStable.Credential);
        Assert.Equal(["Q2", "Q3"], _canary.Requests.Where(r => r.Prompt.StartsWith('Q')).Select(r => r.Prompt).Order());
        Assert.All(_canary.Requests.Where(r => r.Prompt.StartsWith('Q')), r => Assert.Equal("canary-secret", r.Credential));
        Assert.All(_canary.Requests.Where(r => r.Prompt.StartsWith('Q')), r => Assert.Equal("/v1/messages", r.Path));

        // Three rubric judgements and six comparisons, all counted in the day's spend.
        Assert.Equal(9, _judge.Requests.Count);
        Assert.Equal(3 * JudgeCall + 3 * (VersionCall + 2 * JudgeCall), await SpendAsync());
    }

    [PostgresFact]
    public async Task Judge_Comparisons_CarryRubricRequestAndBothAnswersButNoArmRolloutSubsetOrModel()
    {
        await PreflightAsync();
        await InsertSampleAsync("canary", "Q1", $"{Preferred} Four.");

        await RunAsync("judge");

        var comparisons = _judge.Requests.Where(r => r.Contains("answer_a", StringComparison.Ordinal)).ToList();
        Assert.Equal(2, comparisons.Count);
        var prompts = new List<string>();
        foreach (var request in comparisons)
        {
            using var document = JsonDocument.Parse(request);
            var root = document.RootElement;
            Assert.Equal("comparison", root.GetProperty("response_format").GetProperty("json_schema").GetProperty("name").GetString());
            var prompt = root.GetProperty("messages")[0].GetProperty("content").GetString() + root.GetProperty("messages")[1].GetProperty("content").GetString();
            Assert.Contains("Rubric: prefer the right answer.", prompt, StringComparison.Ordinal);
            Assert.Contains("user: Q1", prompt, StringComparison.Ordinal);
            Assert.DoesNotContain("canary", prompt, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain("stable", prompt, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain("chat-v", prompt, StringComparison.Ordinal);
            Assert.DoesNotContain("model-v", prompt, StringComparison.Ordinal);
            Assert.DoesNotContain("\"chat\"", prompt, StringComparison.Ordinal);
            Assert.DoesNotContain("v1", prompt, StringComparison.Ordinal);
            Assert.DoesNotContain("v2", prompt, StringComparison.Ordinal);
            prompts.Add(prompt);
        }

        // Once with the canary's answer first, once second.
        Assert.Contains(prompts, p => p.Contains($"<answer_a>\n{Preferred} Four.\n</answer_a>", StringComparison.Ordinal));
        Assert.Contains(prompts, p => p.Contains($"<answer_b>\n{Preferred} Four.\n</answer_b>", StringComparison.Ordinal));
    }

    [PostgresFact]
    public async Task Judge_PositionBiasedJudge_EveryPairATieAndNoOrderConsistency()
    {
        await PreflightAsync();
        var win = await InsertSampleAsync("canary", "Q1", $"{Preferred} Four.");
        var loss = await InsertSampleAsync("stable", "Q2", $"{Preferred} Four.");
        _judge.Mode = FakeJudgeMode.PreferFirst;

        var run = await RunAsync("judge");

        Assert.Contains("pairing: 2 decided (0 win(s), 2 tie(s), 0 loss(es) for the canary)", run.Out, StringComparison.Ordinal);
        Assert.Contains("order consistency 0 of 2 (0 %)", run.Out, StringComparison.Ordinal);
        var rows = await PairsAsync();
        Assert.All([rows[win], rows[loss]], row => Assert.Equal(("decided", "canary", "stable", "tie"), (row.Outcome, row.CanaryFirst, row.StableFirst, row.Result)));
    }

    [PostgresFact]
    public async Task RunOnce_JudgeDown_FailedPairsRetriedWithoutAskingTheOtherVersionAgain_GarbageUnparseableAndFinal()
    {
        await PreflightAsync();
        var sample = await InsertSampleAsync("canary", "Q1", $"{Preferred} Four.");
        _judge.Mode = FakeJudgeMode.ServerError;

        var down = await RunAsync("run-once", "--Canary:Judge:MaxAttemptsPerCall=1");
        var afterDown = (await PairsAsync())[sample];
        _judge.Mode = FakeJudgeMode.Verdicts;
        var back = await RunAsync("run-once");

        Assert.Equal(ExitCodes.Ok, down.Code);
        Assert.Contains("pairing: 0 decided (0 win(s), 0 tie(s), 0 loss(es) for the canary), 0 unparseable, 0 other version failed, 1 failed of 1 waiting sample(s)", down.Out, StringComparison.Ordinal);
        Assert.Contains("pairing: judge calls failed (last: 500 Internal Server Error (after 1 attempt)); failed pairs are tried again by later runs", down.Out, StringComparison.Ordinal);
        Assert.Equal(new PairRow("chat", "canary", "failed", null, null, null, "Four.", 1, VersionCall, "judge-model", "500 Internal Server Error (after 1 attempt)"), afterDown);
        Assert.Contains("pairing: 1 decided (1 win(s)", back.Out, StringComparison.Ordinal);
        var row = (await PairsAsync())[sample];
        Assert.Equal(("decided", "win", 2, VersionCall + 2 * JudgeCall), (row.Outcome, row.Result, row.Attempts, row.CostUsd));
        Assert.Single(_stable.Requests, r => r.Prompt.StartsWith('Q'));

        var garbage = await InsertSampleAsync("stable", "Q2", "Four.");
        _judge.Mode = FakeJudgeMode.Garbage;
        var third = await RunAsync("judge");
        _judge.Mode = FakeJudgeMode.Verdicts;
        var fourth = await RunAsync("judge");

        Assert.Contains("1 unparseable, 0 other version failed, 0 failed of 1 waiting sample(s)", third.Out, StringComparison.Ordinal);
        Assert.Contains("of 0 waiting sample(s)", fourth.Out[fourth.Out.IndexOf("pairing:", StringComparison.Ordinal)..], StringComparison.Ordinal);
        var unparseable = (await PairsAsync())[garbage];
        Assert.Equal("unparseable", unparseable.Outcome);
        Assert.Null(unparseable.Result);
        Assert.StartsWith("no JSON object in the judge's reply", unparseable.Reason, StringComparison.Ordinal);
    }

    [PostgresFact]
    public async Task Judge_OtherVersionDownOrRequestCut_OtherFailedAndFinal()
    {
        await PreflightAsync();
        _stableDown = true;
        var down = await InsertSampleAsync("canary", "Q1", "Four.");
        var cut = await InsertSampleAsync("stable", "Q2", "Four.", requestTruncated: true);

        var first = await RunAsync("judge", "--Canary:Judge:MaxAttemptsPerCall=2");
        _stableDown = false;
        var second = await RunAsync("judge");

        Assert.Contains("0 unparseable, 2 other version failed, 0 failed of 2 waiting sample(s)", first.Out, StringComparison.Ordinal);
        Assert.Contains("of 0 waiting sample(s)", second.Out[second.Out.IndexOf("pairing:", StringComparison.Ordinal)..], StringComparison.Ordinal);
        var rows = await PairsAsync();
        Assert.Equal("other_failed", rows[down].Outcome);
        Assert.StartsWith("the other version gave no answer: 500", rows[down].Reason, StringComparison.Ordinal);
        Assert.EndsWith("(after 2 attempts)", rows[down].Reason, StringComparison.Ordinal);
        Assert.Equal("", rows[down].OtherAnswer);
        Assert.Equal(("other_failed", "the stored request was cut at the capture bound; it cannot be sent to the other version"), (rows[cut].Outcome, rows[cut].Reason));
        Assert.Equal(2, _stable.Requests.Count(r => r.Prompt.StartsWith('Q')));
        Assert.DoesNotContain(_canary.Requests, r => r.Prompt.StartsWith('Q'));
        Assert.DoesNotContain(_judge.Requests, r => r.Contains("answer_a", StringComparison.Ordinal));
    }

    [PostgresFact]
    public async Task Judge_DailySpendCap_PairsStopAtTheCapSharedWithTheRubricJudging()
    {
        await PreflightAsync(prices: false);
        await InsertSampleAsync("canary", "Q1", "Four.");
        await InsertSampleAsync("stable", "Q2", "Four.");

        // One call at a time. Rubric: $0 -> $0.005 -> $0.010; the first pair starts under the $0.012 cap and ends at
        // $0.020 (its version call is unpriced); the second does not start.
        var run = await RunAsync("judge", "--Canary:Judge:DailySpendCapUsd=0.012", "--Canary:Judge:Concurrency=1");

        Assert.Contains("judging: 2 judged", run.Out, StringComparison.Ordinal);
        Assert.Contains("pairing: 1 decided", run.Out, StringComparison.Ordinal);
        Assert.Contains("pairing: daily spend cap reached: 1 sample(s) not paired until 00:00 UTC", run.Out, StringComparison.Ordinal);
        Assert.Single(await PairsAsync());
        Assert.Equal(4 * JudgeCall, await SpendAsync());
    }

    [PostgresFact]
    public async Task Judge_RolloutNotOptedInOrWithoutPreflightEndpoints_NotPaired()
    {
        await InsertSampleAsync("canary", "Q1", "Four.");

        var withoutPreflight = await RunAsync("judge");
        var notOptedIn = await RunAsync(["judge"], paired: false);

        Assert.Contains("pairing: not paired: chat: no preflight record with the versions' endpoints; run canary-analyzer preflight for it", withoutPreflight.Out, StringComparison.Ordinal);
        Assert.DoesNotContain("pairing", notOptedIn.Out, StringComparison.Ordinal);
        Assert.Empty(await PairsAsync());
        Assert.DoesNotContain(_stable.Requests, r => r.Prompt.StartsWith('Q'));
    }

    [PostgresFact]
    public async Task Serve_PairedRollout_EachRunPairsBeforeItDecidesAndTheMetricsCountThePairs()
    {
        await PreflightAsync();
        var start = await AnalyzerRun.RunAsync(["start", "--skip-preflight", "--route", "chat", "--stable", "v1", "--canary", "v2", "--database", _dataSource.ConnectionString]);
        Assert.True(start.ExitCode == ExitCodes.Ok, start.ToString());
        var sample = await InsertSampleAsync("canary", "Q1", $"{Preferred} Four.");
        var rubric = Path.Combine(_directory.FullName, "serve-rubric.md");
        await File.WriteAllTextAsync(rubric, "Prefer the right answer.\n");
        var stableKey = Path.Combine(_directory.FullName, "serve-stable-key");
        await File.WriteAllTextAsync(stableKey, "stable-secret\n");
        var environment = new Dictionary<string, string>
        {
            ["Canary__Judge__Endpoint"] = _judge.BaseUri.ToString(),
            ["Canary__Judge__Model"] = "judge-model",
            ["Canary__Judge__RubricFile"] = rubric,
            ["Canary__Judge__DailySpendCapUsd"] = "1",
            ["Canary__Judge__InputPricePerMillionUsd"] = "4",
            ["Canary__Judge__OutputPricePerMillionUsd"] = "50",
            ["Canary__Judge__Paired__Rollouts"] = "chat",
            ["Canary__Judge__Paired__StableApiKeyFile"] = stableKey,
        };

        // On the real clock, as serve's child process runs (the Native-AOT analyzer when CANARY_AOT_BINARY is set).
        await using var serve = ChildProcess.Start(
            CanaryProgram.Analyzer,
            ["serve", "--interval", "1h", "--metrics-port", "0", "--metrics-address", "127.0.0.1", "--database", _dataSource.ConnectionString],
            environment);
        await serve.WaitForOutputAsync("/metrics");
        var port = int.Parse(MetricsPort().Match(serve.Output).Groups[1].Value, CultureInfo.InvariantCulture);
        // The run's counters are added when it ends: scraped until they show it, then checked whole.
        var metrics = await Eventually.UntilAsync(
            () => ScrapeAsync(port),
            scraped => scraped.Contains("canary_analyzer_runs_total{result=\"ok\"} 1\n", StringComparison.Ordinal),
            "the first run in the scrape");
        await serve.WaitForOutputAsync("chat: hold");
        var code = await serve.TerminateAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(0, code);
        var pairing = serve.Output.IndexOf("pairing: 1 decided (1 win(s), 0 tie(s), 0 loss(es) for the canary)", StringComparison.Ordinal);
        Assert.True(pairing >= 0, serve.Output + serve.Error);
        Assert.True(pairing < serve.Output.IndexOf("chat: hold", StringComparison.Ordinal), serve.Output);
        Assert.Equal("win", (await PairsAsync())[sample].Result);
        Assert.Contains("canary_analyzer_pairs_total{outcome=\"decided\"} 1\n", metrics, StringComparison.Ordinal);
        Assert.Contains("canary_analyzer_pairs_total{outcome=\"failed\"} 0\n", metrics, StringComparison.Ordinal);
        Assert.Contains("canary_analyzer_pair_results_total{result=\"win\"} 1\n", metrics, StringComparison.Ordinal);
        Assert.DoesNotContain("secret", serve.Output + serve.Error, StringComparison.Ordinal);
    }

    /// <summary>One HTTP/1.1 GET of /metrics on a fresh TCP connection; the whole response as text.</summary>
    private static async Task<string> ScrapeAsync(int port)
    {
        using var client = new TcpClient();
        await client.ConnectAsync("127.0.0.1", port);
        var stream = client.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes($"GET /metrics HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n\r\n"));
        using var reader = new StreamReader(stream, Encoding.UTF8);
        return await reader.ReadToEndAsync();
    }

    [GeneratedRegex(@"metrics on http://127\.0\.0\.1:([0-9]+)/metrics")]
    private static partial Regex MetricsPort();

    private async Task PreflightAsync(bool prices = true)
    {
        var testSet = Path.Combine(_directory.FullName, "cases.jsonl");
        await File.WriteAllTextAsync(testSet, """{"id": "hi", "prompt": "Say hi"}""" + "\n");
        string[] priceArgs = prices ? ["--stable-price", "500/0", "--canary-price", "500/0"] : [];
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var code = await AnalyzerCli.RunAsync(
            [
                "preflight", "--rollout", "chat", "--stable", "v1", "--canary", "v2", "--test-set", testSet,
                "--stable-url", _stable.Uri.ToString(), "--canary-url", _canary.Uri.ToString(), "--canary-protocol", "anthropic",
                "--stable-model", "model-v1", "--canary-model", "model-v2", .. priceArgs, "--output-dir", _directory.FullName,
                "--database", _dataSource.ConnectionString,
            ],
            new CliOutput(stdout, stderr));
        Assert.True(code is ExitCodes.Ok or ExitCodes.PreflightFailed, stdout + "\n" + stderr);
    }

    private Task<(int Code, string Out, string Err)> RunAsync(params string[] args) => RunAsync(args, paired: true);

    private async Task<(int Code, string Out, string Err)> RunAsync(string[] args, bool paired)
    {
        var rubric = Path.Combine(_directory.FullName, "rubric.md");
        await File.WriteAllTextAsync(rubric, "Rubric: prefer the right answer.\n");
        var stableKey = Path.Combine(_directory.FullName, "stable-key");
        await File.WriteAllTextAsync(stableKey, "stable-secret\n");
        var canaryKey = Path.Combine(_directory.FullName, "canary-key");
        await File.WriteAllTextAsync(canaryKey, "canary-secret\n");
        string[] pairing = paired
            ? ["--Canary:Judge:Paired:Rollouts=chat", $"--Canary:Judge:Paired:StableApiKeyFile={stableKey}", $"--Canary:Judge:Paired:CanaryApiKeyFile={canaryKey}"]
            : [];
        string[] settings =
        [
            $"--Canary:Judge:Endpoint={_judge.BaseUri}", "--Canary:Judge:Model=judge-model", $"--Canary:Judge:RubricFile={rubric}",
            "--Canary:Judge:DailySpendCapUsd=1", "--Canary:Judge:InputPricePerMillionUsd=4", "--Canary:Judge:OutputPricePerMillionUsd=50",
            "--Canary:Judge:RetryBackoff=0.01s", "--Canary:Judge:RequestsPerMinute=100000", .. pairing,
        ];
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        // The later --Canary: argument wins, so a test's own settings override these defaults.
        var code = await AnalyzerCli.RunAsync(
            [.. args.Take(1), "--database", _dataSource.ConnectionString, .. settings, .. args.Skip(1)],
            new CliOutput(stdout, stderr),
            new CliEnvironment(AnalyzerConfiguration.ProcessEnvironment(), new FixedDayTimeProvider(Day)));
        var output = stdout.ToString();
        Assert.DoesNotContain("secret", output + stderr, StringComparison.Ordinal);
        return (code, output, stderr.ToString());
    }

    private async Task<Guid> InsertSampleAsync(string arm, string prompt, string answer, bool incomplete = false, bool requestTruncated = false)
    {
        var id = Guid.NewGuid();
        var version = arm == "canary" ? "v2" : "v1";
        await using var command = _dataSource.CreateCommand(
            """
            INSERT INTO quality_samples (sample_id, rollout, subset, arm, bucket, sidecar_id, sampled_at, status, finish_reason,
                input_tokens, output_tokens, refusal, incomplete, request_body, request_truncated, answer, answer_truncated)
            VALUES ($1, 'chat', $2, $3, 42, 'sidecar-a', $4, 200, 'stop', 20, 10, false, $5, $6, $7, $8, false)
            """);
        command.Parameters.Add(new NpgsqlParameter<Guid> { TypedValue = id });
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = version });
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = arm });
        command.Parameters.Add(new NpgsqlParameter<DateTime> { TypedValue = Day.ToDateTime(new TimeOnly(11, 0), DateTimeKind.Utc), NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.TimestampTz });
        command.Parameters.Add(new NpgsqlParameter<bool> { TypedValue = incomplete });
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = $$"""{"model":"chat-{{version}}","max_tokens":64,"messages":[{"role":"user","content":"{{prompt}}"}]}""" });
        command.Parameters.Add(new NpgsqlParameter<bool> { TypedValue = requestTruncated });
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = answer });
        await command.ExecuteNonQueryAsync();
        return id;
    }

    private async Task<Dictionary<Guid, PairRow>> PairsAsync()
    {
        await using var command = _dataSource.CreateCommand(
            "SELECT sample_id, rollout, arm, outcome, canary_first, stable_first, result, other_answer, attempts, cost_usd, judge_model, reason FROM quality_pairs");
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new Dictionary<Guid, PairRow>();
        while (await reader.ReadAsync())
        {
            rows[reader.GetGuid(0)] = new PairRow(
                reader.GetString(1), reader.GetString(2), reader.GetString(3), reader.IsDBNull(4) ? null : reader.GetString(4),
                reader.IsDBNull(5) ? null : reader.GetString(5), reader.IsDBNull(6) ? null : reader.GetString(6), reader.GetString(7),
                reader.GetInt32(8), reader.GetDecimal(9), reader.GetString(10), reader.GetString(11));
        }

        return rows;
    }

    private async Task<decimal> SpendAsync()
    {
        await using var command = _dataSource.CreateCommand("SELECT coalesce(sum(cost_usd), 0) FROM quality_judge_spend");
        return (decimal)(await command.ExecuteScalarAsync())!;
    }

    private sealed record PairRow(
        string Rollout, string Arm, string Outcome, string? CanaryFirst, string? StableFirst, string? Result, string OtherAnswer, int Attempts, decimal CostUsd,
        string JudgeModel, string Reason = "");
}
