using Canary.Analyzer.Cli;
using Canary.Analyzer.Preflight;
using Canary.IntegrationTests.Postgres;
using Canary.IntegrationTests.Processes;
using Npgsql;
using Xunit.Abstractions;

namespace Canary.IntegrationTests.Preflight;

/// <summary>
/// Stage 1 with testers only, against a sidecar process (the Native-AOT binary in CI) and real PostgreSQL:
/// <c>start --testers-only</c> puts the rollout in the table at weight 0, the forced tester reaches the canary and
/// nobody else does, no automatic decision is taken and no manual shortcut skips the preflight; after a passing
/// preflight, <c>start</c> moves it to its first weight and keeps the tester on the canary.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class TestersStageTests : IDisposable
{
    private const string Token = "testers-stage-token";
    private const string Route = "chat";
    private readonly PostgresServerFixture _postgres;
    private readonly ITestOutputHelper _output;
    private readonly string _directory = Directory.CreateTempSubdirectory("canary-testers.").FullName;

    public TestersStageTests(PostgresServerFixture postgres, ITestOutputHelper output)
    {
        _postgres = postgres;
        _output = output;
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [PostgresFact]
    public async Task TestersOnly_ThenPassingPreflight_TesterAloneOnCanaryUntilStartMovesToFirstWeight()
    {
        await using var dataSource = await _postgres.CreateDatabaseAsync();
        var tokenFile = Path.Combine(_directory, "token");
        await File.WriteAllTextAsync(tokenFile, Token);
        await using var sidecar = await SidecarProcess.StartAsync("sidecar-0", tokenFile);
        string[] connection = ["--database", dataSource.ConnectionString, "--sidecars", sidecar.Endpoint, "--token-file", tokenFile];
        string[] versions = ["--route", Route, "--stable", "v1", "--canary", "v2", "--schedule", "5/1h,10/1h,25/1h,50/1h,75/1h,100"];

        var testers = await RunAsync(["start", "--testers-only", .. versions, "--forced-user", "tester-1", .. connection]);
        Assert.True(testers.Code == ExitCodes.Ok, testers.ToString());
        Assert.Contains("Stage 1, testers only: 1 forced user(s) get v2", testers.Out, StringComparison.Ordinal);
        Assert.Contains("push: 1/1 sidecars acknowledged", testers.Out, StringComparison.Ordinal);
        Assert.Equal("v2", await sidecar.RouteAsync(Route, "tester-1"));
        await AssertCanaryUsersAsync(sidecar, expectedAtLeast: 0, expectedAtMost: 0);

        var status = await RunAsync(["status", "--rollout", Route, .. connection]);
        Assert.Matches(@"chat\s+testers\s+0/6\s+0%", status.Out);
        Assert.Contains(", not part of the comparison: testers ", status.Out, StringComparison.Ordinal);

        // Nothing moves a testers-only stage on by itself, and nothing but start (which checks the preflight) moves it by hand.
        var runOnce = await RunAsync(["run-once", .. connection]);
        Assert.True(runOnce.Code == ExitCodes.Ok, runOnce.ToString());
        Assert.Contains("no running rollout", runOnce.Out, StringComparison.Ordinal);
        var promote = await RunAsync(["promote", "--rollout", Route, .. connection]);
        Assert.Equal(ExitCodes.Usage, promote.Code);
        Assert.Contains("a testers-only rollout moves on with 'start' (which needs a passing preflight)", promote.Err, StringComparison.Ordinal);
        Assert.Equal(ExitCodes.Usage, (await RunAsync(["pause", "--rollout", Route, .. connection])).Code);
        var refused = await RunAsync(["start", .. versions, .. connection]);
        Assert.Equal(ExitCodes.PreflightFailed, refused.Code);
        Assert.Equal("v2", await sidecar.RouteAsync(Route, "tester-1"));
        await AssertCanaryUsersAsync(sidecar, expectedAtLeast: 0, expectedAtMost: 0);

        await using (var stable = new FakeModelServer(ModelProtocol.OpenAi, PreflightFakeServerTests.GoodAnswer))
        await using (var canary = new FakeModelServer(ModelProtocol.OpenAi, PreflightFakeServerTests.GoodAnswer))
        {
            var preflight = await PreflightAsync(dataSource, stable, canary);
            Assert.True(preflight.Code == ExitCodes.Ok, preflight.ToString());
        }

        // No --forced-user this time: the tester of stage 1 is carried into the first weight. A fixed salt keeps the
        // count of canary users below the same on every run (a fresh one would leave none of 200 once in 28 000 runs).
        var started = await RunAsync(["start", .. versions, "--salt", "testers-stage", .. connection]);
        Assert.True(started.Code == ExitCodes.Ok, started.ToString());
        Assert.Contains("preflight passed", started.Out, StringComparison.Ordinal);
        Assert.Equal("v2", await sidecar.RouteAsync(Route, "tester-1"));
        await AssertCanaryUsersAsync(sidecar, expectedAtLeast: 1, expectedAtMost: 40);
        var running = await RunAsync(["status", "--rollout", Route, .. connection]);
        Assert.Matches(@"chat\s+running\s+1/6\s+5%", running.Out);
    }

    [PostgresFact]
    public async Task TestersOnly_WithoutForcedUserOrOverRunningRollout_RefusedWithNothingChanged()
    {
        await using var dataSource = await _postgres.CreateDatabaseAsync();
        string[] connection = ["--database", dataSource.ConnectionString];
        string[] versions = ["--route", Route, "--stable", "v1", "--canary", "v2"];

        var noTester = await RunAsync(["start", "--testers-only", .. versions, .. connection]);
        var started = await RunAsync(["start", .. versions, "--skip-preflight", "--skipped-by", "alice", .. connection]);
        var overRunning = await RunAsync(["start", "--testers-only", .. versions, "--forced-user", "tester-1", .. connection]);
        var status = await RunAsync(["status", "--rollout", Route, .. connection]);

        Assert.Equal(ExitCodes.Usage, noTester.Code);
        Assert.Contains("--testers-only needs at least one --forced-user", noTester.Err, StringComparison.Ordinal);
        Assert.True(started.Code == ExitCodes.Ok, started.ToString());
        Assert.Equal(ExitCodes.Usage, overRunning.Code);
        Assert.Contains("is already past stage 1 (running at 5%); roll it back first", overRunning.Err, StringComparison.Ordinal);
        Assert.Contains("nothing was changed", overRunning.Err, StringComparison.Ordinal);
        Assert.Matches(@"chat\s+running\s+1/6\s+5%", status.Out);
        Assert.DoesNotContain("testers (", status.Out, StringComparison.Ordinal);
    }

    /// <summary>200 ordinary users: how many the sidecar sends to the canary must fall in the range.</summary>
    private static async Task AssertCanaryUsersAsync(SidecarProcess sidecar, int expectedAtLeast, int expectedAtMost)
    {
        var canary = 0;
        for (var user = 0; user < 200; user++)
        {
            canary += await sidecar.RouteAsync(Route, $"user-{user}") == "v2" ? 1 : 0;
        }

        Assert.InRange(canary, expectedAtLeast, expectedAtMost);
    }

    /// <summary>
    /// A preflight the fake servers pass; its latency gate cannot fail on a scheduling stall (see
    /// <see cref="PreflightStageOneTests.LatencySlackBeyondTimeoutMs"/>).
    /// </summary>
    private async Task<Result> PreflightAsync(NpgsqlDataSource dataSource, FakeModelServer stable, FakeModelServer canary)
    {
        var testSet = Path.Combine(_directory, "cases.jsonl");
        await File.WriteAllTextAsync(testSet, PreflightFakeServerTests.TestSet);
        var keyFile = Path.Combine(_directory, "key");
        await File.WriteAllTextAsync(keyFile, "test-key\n");
        return await RunAsync(
        [
            "preflight", "--rollout", Route, "--stable", "v1", "--canary", "v2", "--test-set", testSet,
            "--stable-url", stable.Uri.ToString(), "--canary-url", canary.Uri.ToString(), "--api-key-file", keyFile,
            "--timeout", "10s", "--latency-slack-ms", PreflightStageOneTests.LatencySlackBeyondTimeoutMs, "--output-dir", _directory,
            "--database", dataSource.ConnectionString,
        ]);
    }

    private async Task<Result> RunAsync(string[] args)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var code = await AnalyzerCli.RunAsync(args, new CliOutput(stdout, stderr));
        var result = new Result(code, stdout.ToString(), stderr.ToString());
        _output.WriteLine($"$ canary-analyzer {string.Join(' ', args.TakeWhile(a => a != "--database"))}\n{result}");
        return result;
    }

    private sealed record Result(int Code, string Out, string Err)
    {
        public override string ToString() => $"exit {Code}\n{Out}{Err}";
    }
}
