using Canary.Analyzer.Cli;
using Canary.Analyzer.Preflight;
using Canary.IntegrationTests.Postgres;
using Npgsql;

namespace Canary.IntegrationTests.Preflight;

/// <summary>
/// The <c>preflight</c> command end to end (fake model servers, real PostgreSQL): the stored stage-1 record, the files,
/// and <c>start</c> refusing to go past stage 1 without a passing preflight for the same versions.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class PreflightStageOneTests : IDisposable
{
    /// <summary>
    /// The command runs on the system clock with requests in parallel, so the fake servers' immediate answers measure
    /// whatever the machine's scheduling adds. No answered latency can exceed the 10 s per-attempt timeout, so a slack
    /// of 60 s above stable's p95 means the latency gate cannot fail here; these tests are about the verdicts the other
    /// gates and the stage-1 record give (PreflightFakeServerTests judges latency on a virtual clock).
    /// </summary>
    internal const string LatencySlackBeyondTimeoutMs = "60000";

    private readonly PostgresServerFixture _postgres;
    private readonly string _directory = Directory.CreateTempSubdirectory("canary-preflight.").FullName;

    public PreflightStageOneTests(PostgresServerFixture postgres) => _postgres = postgres;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [PostgresFact]
    public async Task Preflight_PassingCanary_StoresPassAndStartProceeds()
    {
        await using var dataSource = await _postgres.CreateDatabaseAsync();
        await using var stable = new FakeModelServer(ModelProtocol.OpenAi, PreflightFakeServerTests.GoodAnswer);
        await using var canary = new FakeModelServer(ModelProtocol.OpenAi, PreflightFakeServerTests.GoodAnswer);

        var (code, stdout, stderr) = await PreflightAsync(dataSource, stable, canary, ["--stream"]);
        var (startCode, startOut, startErr) = await StartAsync(dataSource, "v2");

        Assert.True(code == ExitCodes.Ok, stdout + stderr);
        Assert.Contains("verdict: PASS", stdout, StringComparison.Ordinal);
        Assert.Contains("\"verdict\": \"pass\"", await File.ReadAllTextAsync(Path.Combine(_directory, "preflight-chat.json")), StringComparison.Ordinal);
        Assert.Contains("id=\"preflight-verdict\">pass<", await File.ReadAllTextAsync(Path.Combine(_directory, "preflight-chat.html")), StringComparison.Ordinal);
        var record = await PreflightStore.ReadLatestAsync(dataSource, "chat", "v1", "v2", CancellationToken.None);
        Assert.Equal("pass", record!.Verdict);
        Assert.Equal(3, record.Cases);
        Assert.True(startCode == ExitCodes.Ok, startOut + startErr);
        Assert.Contains("preflight passed", startOut, StringComparison.Ordinal);
    }

    [PostgresFact]
    public async Task Start_PreflightPassedForOtherCanary_RefusedUntilSkippedAndRecordsWho()
    {
        await using var dataSource = await _postgres.CreateDatabaseAsync();
        await using var stable = new FakeModelServer(ModelProtocol.OpenAi, PreflightFakeServerTests.GoodAnswer);
        await using var canary = new FakeModelServer(ModelProtocol.OpenAi, PreflightFakeServerTests.GoodAnswer);
        await PreflightAsync(dataSource, stable, canary);

        var (refusedCode, _, refusedErr) = await StartAsync(dataSource, "v3");
        var beforeSkip = DateTimeOffset.UtcNow;
        var (skippedCode, skippedOut, skippedErr) = await StartAsync(dataSource, "v3", "--skip-preflight", "--skipped-by", "alice");
        var afterSkip = DateTimeOffset.UtcNow;

        Assert.Equal(ExitCodes.PreflightFailed, refusedCode);
        Assert.Contains("no preflight for rollout \"chat\" with stable \"v1\" and canary \"v3\"", refusedErr, StringComparison.Ordinal);
        Assert.True(skippedCode == ExitCodes.Ok, skippedOut + skippedErr);
        var record = await PreflightStore.ReadLatestAsync(dataSource, "chat", "v1", "v3", CancellationToken.None);
        Assert.Equal("skipped", record!.Verdict);
        Assert.Equal("alice", record.SkippedBy);
        // Stamped by the skip itself, between the two readings (PostgreSQL keeps microseconds, .NET ticks of 100 ns).
        Assert.InRange(record.FinishedAt, beforeSkip.AddMilliseconds(-1), afterSkip.AddMilliseconds(1));
    }

    [PostgresFact]
    public async Task Preflight_RegressingCanary_ExitsFailedAndStartRefuses()
    {
        await using var dataSource = await _postgres.CreateDatabaseAsync();
        await using var stable = new FakeModelServer(ModelProtocol.Anthropic, PreflightFakeServerTests.GoodAnswer);
        await using var canary = new FakeModelServer(ModelProtocol.Anthropic, request => new FakeReply { Text = "I cannot help with that." });

        var (code, stdout, _) = await PreflightAsync(dataSource, stable, canary, ["--protocol", "anthropic"]);
        var (startCode, _, startErr) = await StartAsync(dataSource, "v2");

        Assert.Equal(ExitCodes.PreflightFailed, code);
        Assert.Contains("verdict: FAIL", stdout, StringComparison.Ordinal);
        Assert.Equal(ExitCodes.PreflightFailed, startCode);
        Assert.Contains("is \"fail\"", startErr, StringComparison.Ordinal);
    }

    [PostgresFact]
    public async Task Preflight_CanaryRejectsKey_ExitsIncompleteAndStartRefuses()
    {
        await using var dataSource = await _postgres.CreateDatabaseAsync();
        await using var stable = new FakeModelServer(ModelProtocol.OpenAi, PreflightFakeServerTests.GoodAnswer);
        await using var canary = new FakeModelServer(ModelProtocol.OpenAi, _ => new FakeReply { Status = 401 });

        var (code, stdout, _) = await PreflightAsync(dataSource, stable, canary);
        var (startCode, _, startErr) = await StartAsync(dataSource, "v2");

        Assert.Equal(ExitCodes.PreflightIncomplete, code);
        Assert.Contains("verdict: INCOMPLETE", stdout, StringComparison.Ordinal);
        Assert.Equal(ExitCodes.PreflightFailed, startCode);
        Assert.Contains("is \"incomplete\"", startErr, StringComparison.Ordinal);
    }

    [PostgresFact]
    public async Task Preflight_MalformedTestSetLine_ExitsUsageNamingTheLineAndSendsNothing()
    {
        await using var dataSource = await _postgres.CreateDatabaseAsync();
        await using var stable = new FakeModelServer(ModelProtocol.OpenAi, PreflightFakeServerTests.GoodAnswer);
        await using var canary = new FakeModelServer(ModelProtocol.OpenAi, PreflightFakeServerTests.GoodAnswer);

        var (code, _, stderr) = await PreflightAsync(dataSource, stable, canary, testSetText: "{\"prompt\": \"ok\"}\n\n{\"prompt\": \"missing brace\"\n", testSetName: "broken.jsonl");

        Assert.Equal(ExitCodes.Usage, code);
        Assert.Contains("broken.jsonl:3: not valid JSON", stderr, StringComparison.Ordinal);
        Assert.Empty(stable.Requests);
    }

    private async Task<(int Code, string Out, string Err)> PreflightAsync(
        NpgsqlDataSource dataSource, FakeModelServer stable, FakeModelServer canary, string[]? extra = null, string? testSetText = null, string testSetName = "cases.jsonl")
    {
        var testSet = Path.Combine(_directory, testSetName);
        await File.WriteAllTextAsync(testSet, testSetText ?? PreflightFakeServerTests.TestSet);
        var keyFile = Path.Combine(_directory, "key");
        await File.WriteAllTextAsync(keyFile, "test-key\n");
        string[] args =
        [
            "preflight", "--rollout", "chat", "--stable", "v1", "--canary", "v2", "--test-set", testSet,
            "--stable-url", stable.Uri.ToString(), "--canary-url", canary.Uri.ToString(), "--api-key-file", keyFile,
            "--stable-price", "3/15", "--canary-price", "3/15", "--timeout", "10s", "--latency-slack-ms", LatencySlackBeyondTimeoutMs, "--output-dir", _directory,
            "--database", dataSource.ConnectionString,
        ];
        return await RunAsync([.. args, .. extra ?? []]);
    }

    private static Task<(int, string, string)> StartAsync(NpgsqlDataSource dataSource, string canary, params string[] extra) =>
        RunAsync(["start", "--route", "chat", "--stable", "v1", "--canary", canary, "--database", dataSource.ConnectionString, .. extra]);

    private static async Task<(int, string, string)> RunAsync(string[] args)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var code = await AnalyzerCli.RunAsync(args, new CliOutput(stdout, stderr));
        return (code, stdout.ToString(), stderr.ToString());
    }
}
