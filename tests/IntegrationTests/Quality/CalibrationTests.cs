using System.Text.Json;
using Canary.Analyzer.Cli;
using Canary.Analyzer.Configuration;
using Canary.Analyzer.Preflight;
using Canary.Contracts.Telemetry;
using Canary.IntegrationTests.Postgres;
using Canary.IntegrationTests.Preflight;
using Npgsql;

namespace Canary.IntegrationTests.Quality;

/// <summary>
/// Judge calibration in <c>preflight</c>, against real PostgreSQL, a fake judge and both versions as fake endpoints:
/// the judge's pass (from the <c>[quality:N]</c> marker the versions put in their answers) is set against the test
/// set's expectations, and the agreement lands in the output, the JSON and HTML files and the stored record.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class CalibrationTests : IAsyncLifetime
{
    private const string TestSet = """
        {"id": "capital", "prompt": "What is the capital of France?", "expect": {"contains": "Paris"}}
        {"id": "hi", "prompt": "Say hi"}
        """;

    private readonly PostgresServerFixture _postgres;
    private readonly DirectoryInfo _directory = Directory.CreateTempSubdirectory("canary-calibration.");
    private NpgsqlDataSource _dataSource = null!;
    private FakeJudgeServer _judge = null!;
    private FakeModelServer _stable = null!;
    private FakeModelServer _canary = null!;

    public CalibrationTests(PostgresServerFixture postgres)
    {
        _postgres = postgres;
    }

    public async Task InitializeAsync()
    {
        _dataSource = await _postgres.CreateDatabaseAsync();
        await SchemaMigrator.MigrateAsync(_dataSource);
        _judge = await FakeJudgeServer.StartAsync();
        // Stable is right and graded well; the canary is wrong yet graded well: the judge disagrees with the test set there.
        _stable = new FakeModelServer(ModelProtocol.OpenAi, r => new FakeReply { Text = r.Prompt.StartsWith("What", StringComparison.Ordinal) ? "Paris. [quality:5]" : "Hi!" });
        _canary = new FakeModelServer(ModelProtocol.OpenAi, r => new FakeReply { Text = r.Prompt.StartsWith("What", StringComparison.Ordinal) ? "London. [quality:4]" : "Hi!" });
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
    public async Task Preflight_JudgeConfigured_AgreementWithTheTestSetInOutputFilesAndRecord()
    {
        var (code, stdout, stderr) = await PreflightAsync(judge: true);

        Assert.True(code == ExitCodes.PreflightFailed, stdout + stderr);
        Assert.Contains("judge calibration (judge-model): 1 of 2 answer(s) agreed (50%) with the test set's expectations; 0 without a verdict", stdout, StringComparison.Ordinal);
        Assert.Contains("  canary capital [line 1]: expectations say fail, the judge says pass (score 4): marker says 4", stdout, StringComparison.Ordinal);

        // Only the case with expectations was judged, on each version, with no version named.
        Assert.Equal(2, _judge.Requests.Count);
        Assert.All(_judge.Requests, r =>
        {
            Assert.DoesNotContain("canary", r, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain("stable", r, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain("model-v", r, StringComparison.Ordinal);
            Assert.Contains("user: What is the capital of France?", r, StringComparison.Ordinal);
        });

        using var json = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(_directory.FullName, "preflight-chat.json")));
        var calibration = json.RootElement.GetProperty("calibration");
        Assert.Equal(2, calibration.GetProperty("total").GetInt32());
        Assert.Equal(1, calibration.GetProperty("agreed").GetInt32());
        Assert.Equal(0.5, calibration.GetProperty("agreement_rate").GetDouble());
        Assert.Equal(0.01m, calibration.GetProperty("cost_usd").GetDecimal());
        var html = await File.ReadAllTextAsync(Path.Combine(_directory.FullName, "preflight-chat.html"));
        Assert.Contains("id=\"preflight-calibration\"", html, StringComparison.Ordinal);
        Assert.Contains("<td>canary</td><td>capital</td>", html, StringComparison.Ordinal);

        var stored = await PreflightStore.ReadStoredAsync(_dataSource, "chat", null, CancellationToken.None);
        Assert.Equal(
            new CalibrationDisagreement("canary", "capital", 1, ExpectedPass: false, JudgePass: true, JudgeScore: 4, "marker says 4"),
            Assert.Single(stored!.Calibration!.Disagreements));
        Assert.Equal((2, 1), (stored.Calibration.Total, stored.Calibration.Agreed));

        await using var spend = _dataSource.CreateCommand("SELECT coalesce(sum(cost_usd), 0), coalesce(sum(calls), 0) FROM quality_judge_spend");
        await using var reader = await spend.ExecuteReaderAsync();
        await reader.ReadAsync();
        Assert.Equal((0.01m, 2m), (reader.GetDecimal(0), reader.GetDecimal(1)));
    }

    [PostgresFact]
    public async Task Preflight_JudgeAnswersGarbage_NoAgreementClaimedAndTheProblemShown()
    {
        _judge.Mode = FakeJudgeMode.Garbage;

        var (_, stdout, _) = await PreflightAsync(judge: true);

        Assert.Contains("judge calibration (judge-model): 0 of 0 answer(s) agreed with the test set's expectations; 2 without a verdict", stdout, StringComparison.Ordinal);
        Assert.Contains("  without a verdict (last: no JSON object in the judge's reply", stdout, StringComparison.Ordinal);
    }

    [PostgresFact]
    public async Task Preflight_NoJudgeConfigured_NoCalibration()
    {
        var (_, stdout, _) = await PreflightAsync(judge: false);

        Assert.DoesNotContain("judge calibration", stdout, StringComparison.Ordinal);
        Assert.Empty(_judge.Requests);
        using var json = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(_directory.FullName, "preflight-chat.json")));
        Assert.False(json.RootElement.TryGetProperty("calibration", out _));
    }

    private async Task<(int Code, string Out, string Err)> PreflightAsync(bool judge)
    {
        var testSet = Path.Combine(_directory.FullName, "cases.jsonl");
        await File.WriteAllTextAsync(testSet, TestSet);
        var rubric = Path.Combine(_directory.FullName, "rubric.md");
        await File.WriteAllTextAsync(rubric, "Rubric: pass a right answer.\n");
        string[] settings = judge
            ?
            [
                $"--Canary:Judge:Endpoint={_judge.BaseUri}", "--Canary:Judge:Model=judge-model", $"--Canary:Judge:RubricFile={rubric}",
                "--Canary:Judge:DailySpendCapUsd=1", "--Canary:Judge:InputPricePerMillionUsd=4", "--Canary:Judge:OutputPricePerMillionUsd=50",
                "--Canary:Judge:RetryBackoff=0.01s", "--Canary:Judge:RequestsPerMinute=100000",
            ]
            : [];
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var code = await AnalyzerCli.RunAsync(
            [
                "preflight", "--rollout", "chat", "--stable", "v1", "--canary", "v2", "--test-set", testSet,
                "--stable-url", _stable.Uri.ToString(), "--canary-url", _canary.Uri.ToString(), "--stable-model", "model-v1", "--canary-model", "model-v2",
                "--output-dir", _directory.FullName, "--database", _dataSource.ConnectionString, .. settings,
            ],
            new CliOutput(stdout, stderr),
            new CliEnvironment(AnalyzerConfiguration.ProcessEnvironment(), TimeProvider.System));
        return (code, stdout.ToString(), stderr.ToString());
    }
}
