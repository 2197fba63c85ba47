using Canary.Contracts.Rollouts;
using Canary.IntegrationTests.Postgres;
using Canary.IntegrationTests.Processes;
using Xunit.Abstractions;

namespace Canary.IntegrationTests.Acting;

/// <summary>
/// What an operator sees when something is wrong: an unknown rollout, PostgreSQL down, a sidecar that refuses the
/// token or is down. Each gives a clear message and its exit code, leaves no partial state, and a later run finishes.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class BadInputTests
{
    private readonly PostgresServerFixture _postgres;
    private readonly ITestOutputHelper _output;

    public BadInputTests(PostgresServerFixture postgres, ITestOutputHelper output)
    {
        _postgres = postgres;
        _output = output;
    }

    [PostgresFact]
    public async Task Rollback_UnknownRollout_ExitsNotFoundAndChangesNothing()
    {
        await using var dataSource = await _postgres.CreateDatabaseAsync();
        var start = await AnalyzerRun.RunAsync(["start", "--skip-preflight", "--route", "known", "--stable", "s", "--canary", "c", "--database", dataSource.ConnectionString]);
        Assert.True(start.ExitCode == 0, start.ToString());

        var run = await AnalyzerRun.RunAsync(["rollback", "--rollout", "unknown", "--reason", "typo", "--database", dataSource.ConnectionString]);

        Assert.True(run.ExitCode == 6, run.ToString());
        Assert.Contains("unknown", run.Error, StringComparison.Ordinal);
        Assert.Equal(1, (await DesiredTableStore.ReadAsync(dataSource))!.Generation);
        await using var records = dataSource.CreateCommand("SELECT count(*) FROM rollout_decisions");
        Assert.Equal(1L, (long)(await records.ExecuteScalarAsync())!);
        var report = await AnalyzerRun.RunAsync(["report", "--rollout", "unknown", "-o", Path.Combine(Path.GetTempPath(), "never.html"), "--database", dataSource.ConnectionString]);
        Assert.True(report.ExitCode == 6, report.ToString());
    }

    [Fact]
    public async Task RunOnce_PostgresDown_ExitsDependencyFailedWithClearMessage()
    {
        using var down = new RefusingPort();
        var run = await AnalyzerRun.RunAsync(["run-once", "--database", $"Host=127.0.0.1;Port={down.Port};Username=postgres;Timeout=3"]);

        Assert.True(run.ExitCode == 5, run.ToString());
        Assert.Contains("canary-analyzer run-once: PostgreSQL is unavailable", run.Error, StringComparison.Ordinal);
        Assert.Contains("nothing was changed", run.Error, StringComparison.Ordinal);
    }

    [PostgresFact]
    public async Task Start_SidecarRefusesTokenAnotherDown_PartialPushThenLaterRunsFinish()
    {
        await using var dataSource = await _postgres.CreateDatabaseAsync();
        var directory = Directory.CreateTempSubdirectory("canary-bad-input-").FullName;
        var good = Path.Combine(directory, "token");
        var wrong = Path.Combine(directory, "wrong-token");
        await File.WriteAllTextAsync(good, "the-token");
        await File.WriteAllTextAsync(wrong, "another-token");
        var down = RefusingPort.ForLaterServer();
        var downPort = down.Port;
        SidecarProcess? refusing = null, late = null, replacement = null;
        try
        {
            refusing = await SidecarProcess.StartAsync("refusing", wrong);
            string[] common = ["--database", dataSource.ConnectionString, "--token-file", good];
            var start = await AnalyzerRun.RunAsync(
                ["start", "--skip-preflight", "--route", "r.example", "--stable", "stable", "--canary", "canary", "--forced-user", "probe", "--sidecars", refusing.Endpoint, $"late=127.0.0.1:{downPort}", .. common]);
            _output.WriteLine(start.ToString());
            Assert.True(start.ExitCode == 4, start.ToString());
            Assert.Contains("refusing (127.0.0.1:", start.Output, StringComparison.Ordinal);
            Assert.Contains("NOT acknowledged (Unauthenticated", start.Output, StringComparison.Ordinal);
            Assert.Contains("NOT acknowledged (Unavailable", start.Output, StringComparison.Ordinal);
            Assert.Contains("push: 0/2 sidecars acknowledged", start.Output, StringComparison.Ordinal);
            Assert.Equal(1, (await DesiredTableStore.ReadAsync(dataSource))!.Generation);

            // The down sidecar comes up: the next run pushes the table in force to it, and only to it.
            down.Dispose();
            late = await SidecarProcess.StartAsync("late", good, downPort);
            var second = await AnalyzerRun.RunAsync(["run-once", "--sidecars", refusing.Endpoint, late.Endpoint, .. common]);
            _output.WriteLine(second.ToString());
            Assert.True(second.ExitCode == 4, second.ToString());
            Assert.Contains("late (127.0.0.1:", second.Output, StringComparison.Ordinal);
            Assert.Contains("push: 1/2 sidecars acknowledged", second.Output, StringComparison.Ordinal);
            Assert.Equal("canary", await late.RouteAsync("r.example", "probe"));

            // The refusing one is replaced by a pod with the right token (a new address): the run after finishes.
            replacement = await SidecarProcess.StartAsync("replacement", good);
            var third = await AnalyzerRun.RunAsync(["run-once", "--sidecars", replacement.Endpoint, late.Endpoint, .. common]);
            _output.WriteLine(third.ToString());
            Assert.True(third.ExitCode == 0, third.ToString());
            Assert.Contains("push: 1/1 sidecars acknowledged", third.Output, StringComparison.Ordinal);
            Assert.Equal("canary", await replacement.RouteAsync("r.example", "probe"));
            Assert.Equal(1, (await DesiredTableStore.ReadAsync(dataSource))!.Generation);

            var fourth = await AnalyzerRun.RunAsync(["run-once", "--sidecars", replacement.Endpoint, late.Endpoint, .. common]);
            Assert.True(fourth.ExitCode == 0, fourth.ToString());
            Assert.DoesNotContain("push:", fourth.Output, StringComparison.Ordinal);
        }
        finally
        {
            down.Dispose();
            foreach (var sidecar in new[] { refusing, late, replacement })
            {
                if (sidecar is not null)
                {
                    await sidecar.DisposeAsync();
                }
            }

            Directory.Delete(directory, recursive: true);
        }
    }
}
