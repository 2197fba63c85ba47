using Canary.IntegrationTests.Postgres;
using Canary.IntegrationTests.Processes;
using Canary.IntegrationTests.StandIns;
using Xunit.Abstractions;

namespace Canary.IntegrationTests.Acting;

/// <summary>
/// Alerts from real <c>canary-analyzer</c> processes against real PostgreSQL and a local webhook receiver: the
/// once-per-stage alerts survive repeated CronJob-style runs without repeating, and a failing webhook changes neither
/// the decision nor the exit code.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class AlertsFromRunsTests
{
    private readonly PostgresServerFixture _postgres;
    private readonly ITestOutputHelper _output;

    public AlertsFromRunsTests(PostgresServerFixture postgres, ITestOutputHelper output)
    {
        _postgres = postgres;
        _output = output;
    }

    [PostgresFact]
    public async Task RunOnce_LongHoldAndSplitMismatchOverThreeRuns_EachAlertedOnce()
    {
        await using var dataSource = await _postgres.CreateDatabaseAsync();
        await using var webhook = new HttpStandIn(_ => new StandInResponse(200, "ok"));
        const string Route = "hold.example.internal";
        var environment = new Dictionary<string, string>
        {
            ["Canary__Alerts__Webhooks__0__Url"] = webhook.Uri.ToString(),
            ["Canary__Alerts__LongHoldFactor"] = "2",
        };
        var start = await AnalyzerRun.RunAsync(
            ["start", "--skip-preflight", "--route", Route, "--stable", "stable", "--canary", "canary", "--schedule", "5/1s,100", "--warm-up", "0s", "--database", dataSource.ConnectionString],
            environment);
        Assert.True(start.ExitCode == 0, start.ToString());
        // The 1 s stage began 10 s ago, past twice its minimum whatever the clock does; the telemetry lies in the window
        // from that start to any later run's now.
        var stageStart = await StageStart.MoveBackAsync(dataSource, Route, TimeSpan.FromSeconds(10));
        var at = stageStart.AddSeconds(1);
        // 2 % of requests on the canary where 5 % is configured: a split mismatch, so every look holds.
        await TelemetrySeed.WriteAsync(dataSource, Route, "canary", requests: 2000, errors: 20, at);
        await TelemetrySeed.WriteAsync(dataSource, Route, "stable", requests: 98000, errors: 980, at);

        for (var run = 0; run < 3; run++)
        {
            var result = await AnalyzerRun.RunAsync(["run-once", "--database", dataSource.ConnectionString], environment);
            _output.WriteLine(result.ToString());
            Assert.True(result.ExitCode == 0, result.ToString());
            Assert.Contains($"{Route}: hold (5% -> 5%): Holding: split mismatch", result.Output, StringComparison.Ordinal);
        }

        var events = webhook.Requests.Select(r => System.Text.Json.JsonDocument.Parse(r.Body).RootElement).ToList();
        Assert.Equal(["long_hold", "split_mismatch"], events.Select(e => e.GetProperty("event").GetString()).Order());
        var hold = events.Single(e => e.GetProperty("event").GetString() == "long_hold");
        Assert.Contains("(2× its minimum of 1 s)", hold.GetProperty("reason").GetString(), StringComparison.Ordinal);
        await using var claims = dataSource.CreateCommand("SELECT count(*) FROM rollout_alerts WHERE rollout = 'hold.example.internal' AND stage_index = 0");
        Assert.Equal(2L, (long)(await claims.ExecuteScalarAsync())!);
    }

    [PostgresFact]
    public async Task RunOnce_WebhookAlwaysFails_RollbackStandsExitCodeSameFailureLogged()
    {
        await using var dataSource = await _postgres.CreateDatabaseAsync();
        await using var webhook = new HttpStandIn(_ => new StandInResponse(500, "down"));
        const string Route = "failing-hook.example.internal";
        var environment = new Dictionary<string, string>
        {
            ["Canary__Alerts__Webhooks__0__Url"] = webhook.Uri + "hooks/T000/secret-path",
            ["Canary__Alerts__MaxAttempts"] = "2",
            ["Canary__Alerts__AttemptTimeout"] = "2s",
        };
        var start = await AnalyzerRun.RunAsync(
            ["start", "--skip-preflight", "--route", Route, "--stable", "stable", "--canary", "canary", "--schedule", "5/1h,100", "--warm-up", "0s", "--database", dataSource.ConnectionString],
            environment);
        Assert.True(start.ExitCode == 0, start.ToString());
        // Telemetry from a minute into the past, inside the window from the (moved) stage start to run-once's now.
        var stageStart = await StageStart.MoveBackAsync(dataSource, Route, TimeSpan.FromMinutes(2));
        var at = stageStart.AddMinutes(1);
        await TelemetrySeed.WriteAsync(dataSource, Route, "canary", requests: 1100, errors: 110, at);
        await TelemetrySeed.WriteAsync(dataSource, Route, "stable", requests: 20900, errors: 209, at);

        var run = await AnalyzerRun.RunAsync(["run-once", "--database", dataSource.ConnectionString], environment);
        _output.WriteLine(run.ToString());

        Assert.True(run.ExitCode == 3, run.ToString());
        Assert.Contains("alerts: 1 queued, 0 delivered, 1 failed", run.Output, StringComparison.Ordinal);
        Assert.Contains($"rollback alert for {Route} to 127.0.0.1 failed after 2 attempt(s): HTTP 500", run.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("secret-path", run.Error, StringComparison.Ordinal);
        Assert.Equal(2, webhook.Requests.Count);
        var history = await AnalyzerRun.RunAsync(["history", "--rollout", Route, "--database", dataSource.ConnectionString]);
        Assert.StartsWith("rollback", history.Output.Split('\n')[0][21..], StringComparison.Ordinal);
    }
}
