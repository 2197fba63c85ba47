using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Canary.IntegrationTests.Postgres;
using Canary.IntegrationTests.Processes;
using Canary.IntegrationTests.StandIns;
using Xunit.Abstractions;

namespace Canary.IntegrationTests.EndToEnd;

/// <summary>
/// The whole loop with every program in its own process: real PostgreSQL, three sidecar processes (the Native-AOT
/// binaries when CANARY_AOT_BINARY is set, else <c>dotnet canary-sidecar.dll</c>) with token-protected control APIs,
/// and <c>canary-analyzer</c> run as a command each time. First the runbook's walkthrough is executed as written
/// (start, status, manual rollback, history), then a seeded bad canary is rolled back by a real <c>run-once</c>; after
/// each rollback every sidecar routes 0 % canary (asked over ext_proc) and the alert webhook has heard of it.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed partial class ProcessEndToEndTests
{
    private const string Token = "process-e2e-token";
    private readonly PostgresServerFixture _postgres;
    private readonly ITestOutputHelper _output;

    public ProcessEndToEndTests(PostgresServerFixture postgres, ITestOutputHelper output)
    {
        _postgres = postgres;
        _output = output;
    }

    [PostgresFact]
    public async Task RunbookThenRunOnce_ThreeSidecarProcesses_EveryRollbackReachesEverySidecar()
    {
        await using var dataSource = await _postgres.CreateDatabaseAsync();
        var directory = Directory.CreateTempSubdirectory("canary-process-e2e-").FullName;
        var tokenFile = Path.Combine(directory, "token");
        await File.WriteAllTextAsync(tokenFile, Token);
        await using var webhook = new HttpStandIn(_ => new StandInResponse(200, "ok"));
        var sidecars = new List<SidecarProcess>();
        try
        {
            _output.WriteLine($"sidecar: {CanaryProgram.Sidecar}; analyzer: {CanaryProgram.Analyzer}");
            sidecars.AddRange(await Task.WhenAll(
                SidecarProcess.StartAsync("sidecar-0", tokenFile), SidecarProcess.StartAsync("sidecar-1", tokenFile), SidecarProcess.StartAsync("sidecar-2", tokenFile)));
            string[] connection = ["--database", dataSource.ConnectionString, "--sidecars", .. sidecars.Select(s => s.Endpoint), "--token-file", tokenFile];
            var environment = new Dictionary<string, string> { ["Canary__Alerts__Webhooks__0__Url"] = webhook.Uri + "alerts" };

            // 1. The runbook, command by command, exactly as the page shows them.
            var runbook = RunbookCommands.Read();
            Assert.Equal(["start", "status", "rollback", "history"], runbook.Select(c => c[0]));
            const string Route = "chat.example.internal";
            foreach (var command in runbook)
            {
                var run = await AnalyzerRun.RunAsync([.. command, .. connection], environment);
                _output.WriteLine($"$ canary-analyzer {string.Join(' ', command)}\n{run.Output}{run.Error}");
                Assert.True(run.ExitCode == 0, run.ToString());
                switch (command[0])
                {
                    case "start":
                        Assert.Contains("push: 3/3 sidecars acknowledged", run.Output, StringComparison.Ordinal);
                        await AssertEverySidecarRoutesAsync(sidecars, Route, "on-call-tester", "canary");
                        break;
                    case "status":
                        Assert.Matches(@"chat\.example\.internal\s+running\s+1/6\s+5%", run.Output);
                        break;
                    case "rollback":
                        Assert.Contains("push: 3/3 sidecars acknowledged", run.Output, StringComparison.Ordinal);
                        await AssertEverySidecarRoutesAsync(sidecars, Route, "on-call-tester", "stable");
                        var alert = await SingleAlertAsync(webhook, Route);
                        Assert.Equal("rollback", alert.GetProperty("event").GetString());
                        Assert.Contains("p95 latency regression reported by on-call", alert.GetProperty("reason").GetString(), StringComparison.Ordinal);
                        break;
                    case "history":
                        var lines = run.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
                        Assert.Contains("rollback", lines[0], StringComparison.Ordinal);
                        Assert.Contains("p95 latency regression reported by on-call", lines[0], StringComparison.Ordinal);
                        Assert.Contains("start", lines[1], StringComparison.Ordinal);
                        break;
                }
            }

            // 2. An automatic rollback: a day-one canary with ten times stable's error rate, decided by run-once.
            const string Bad = "bad.example.internal";
            var started = await AnalyzerRun.RunAsync(
                ["start", "--skip-preflight", "--route", Bad, "--stable", "stable", "--canary", "canary", "--schedule", "5/1h,10/1h,25/1h,50/1h,75/1h,100", "--warm-up", "0s", "--forced-user", "probe", .. connection],
                environment);
            Assert.True(started.ExitCode == 0, started.ToString());
            await AssertEverySidecarRoutesAsync(sidecars, Bad, "probe", "canary");
            // Telemetry from a minute into the past, inside the window from the (moved) stage start to run-once's now.
            var stageStart = await StageStart.MoveBackAsync(dataSource, Bad, TimeSpan.FromMinutes(2));
            await TelemetrySeed.WriteAsync(dataSource, Bad, "canary", requests: 1100, errors: 110, stageStart.AddMinutes(1));
            await TelemetrySeed.WriteAsync(dataSource, Bad, "stable", requests: 20900, errors: 209, stageStart.AddMinutes(1));

            var runOnce = await AnalyzerRun.RunAsync(["run-once", .. connection], environment);
            _output.WriteLine($"$ canary-analyzer run-once\n{runOnce.Output}{runOnce.Error}");

            Assert.True(runOnce.ExitCode == 3, runOnce.ToString());
            Assert.Contains($"{Bad}: rollback (5% -> 0%): Rolling back: the canary's error rate", runOnce.Output, StringComparison.Ordinal);
            Assert.Contains("push: 3/3 sidecars acknowledged", runOnce.Output, StringComparison.Ordinal);
            var lastAck = DecisionToLastAck().Match(runOnce.Output);
            Assert.True(lastAck.Success, runOnce.Output);
            var milliseconds = double.Parse(lastAck.Groups[1].Value, CultureInfo.InvariantCulture);
            _output.WriteLine($"decision to last acknowledgement: {milliseconds:0.0} ms over 3 sidecar processes ({CanaryProgram.Analyzer})");
            // The figure is reported; the design's one-second bound is a speed, so the load harness proves it
            // (bench/run-all.sh, rollback propagation over 50 AOT sidecars, p50/p99 in bench/README.md) rather than a
            // test whose verdict would depend on how loaded the machine is.
            Assert.True(milliseconds >= 0, runOnce.Output);
            await AssertEverySidecarRoutesAsync(sidecars, Bad, "probe", "stable");
            for (var user = 0; user < 200; user++)
            {
                Assert.Equal("stable", await sidecars[user % 3].RouteAsync(Bad, $"user-{user}"));
            }

            var automatic = await SingleAlertAsync(webhook, Bad);
            Assert.Equal("rollback", automatic.GetProperty("event").GetString());
            Assert.Equal(5, automatic.GetProperty("fromWeightPercent").GetDouble());
            Assert.Equal(0, automatic.GetProperty("toWeightPercent").GetDouble());
            Assert.Contains("alerts: 1 queued, 1 delivered, 0 failed", runOnce.Output, StringComparison.Ordinal);

            // 3. The next run has nothing to do and says so with exit code 0.
            var again = await AnalyzerRun.RunAsync(["run-once", .. connection], environment);
            Assert.True(again.ExitCode == 0, again.ToString());
            Assert.Contains("no running rollout", again.Output, StringComparison.Ordinal);
            Assert.DoesNotContain("push:", again.Output, StringComparison.Ordinal);
        }
        finally
        {
            foreach (var sidecar in sidecars)
            {
                await sidecar.DisposeAsync();
            }

            Directory.Delete(directory, recursive: true);
        }
    }

    internal static async Task AssertEverySidecarRoutesAsync(IReadOnlyList<SidecarProcess> sidecars, string route, string user, string subset)
    {
        foreach (var sidecar in sidecars)
        {
            Assert.Equal(subset, await sidecar.RouteAsync(route, user));
        }
    }

    /// <summary>The one alert the webhook received about <paramref name="rollout"/> (waits for the first to arrive).</summary>
    internal static async Task<JsonElement> SingleAlertAsync(HttpStandIn webhook, string rollout)
    {
        var matching = await Eventually.UntilAsync(
            () => Task.FromResult(webhook.Requests
                .Select(r => JsonDocument.Parse(r.Body).RootElement)
                .Where(e => e.GetProperty("rollout").GetString() == rollout)
                .ToList()),
            static alerts => alerts.Count > 0,
            $"an alert about {rollout}");
        return Assert.Single(matching);
    }

    [GeneratedRegex(@"decision to last acknowledgement ([0-9.]+) ms")]
    private static partial Regex DecisionToLastAck();
}
