using System.Text.Json;
using System.Text.RegularExpressions;
using Canary.Contracts.Rollouts;
using Canary.IntegrationTests.Postgres;
using Canary.IntegrationTests.Processes;
using Npgsql;
using Xunit.Abstractions;

namespace Canary.IntegrationTests.Rollouts;

/// <summary>
/// <c>start</c> with its audience, guards and salt, and <c>finish</c> at the end of a rollout, as an operator runs them:
/// real analyzer processes against real PostgreSQL and a real sidecar process that routes by the table they push.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed partial class StartAndFinishTests : IAsyncLifetime
{
    private const string Route = "chat.example.internal";
    private const string Token = "start-finish-token";
    private readonly PostgresServerFixture _postgres;
    private readonly ITestOutputHelper _output;
    private readonly string _directory = Directory.CreateTempSubdirectory("canary-start-finish-").FullName;
    private SidecarProcess? _sidecar;
    private NpgsqlDataSource? _dataSource;

    public StartAndFinishTests(PostgresServerFixture postgres, ITestOutputHelper output)
    {
        _postgres = postgres;
        _output = output;
    }

    private string TokenFile => Path.Combine(_directory, "token");

    private SidecarProcess Sidecar => _sidecar!;

    private NpgsqlDataSource DataSource => _dataSource!;

    public async Task InitializeAsync()
    {
        await File.WriteAllTextAsync(TokenFile, Token);
        _dataSource = await _postgres.CreateDatabaseAsync();
        _sidecar = await SidecarProcess.StartAsync("sidecar-0", TokenFile);
    }

    public async Task DisposeAsync()
    {
        await _sidecar!.DisposeAsync();
        await _dataSource!.DisposeAsync();
        Directory.Delete(_directory, recursive: true);
    }

    [PostgresFact]
    public async Task Start_AudienceGuardsAndNoSalt_InTheTableRoutedAndAFreshSaltRecordedEachTime()
    {
        var start = await AnalyzerAsync(
            "start", "--skip-preflight", "--route", Route, "--stable", "stable", "--canary", "canary", "--schedule", "5/1h,100",
            "--forced-user", "qa-1", "--excluded-user", "vip-1", "--excluded-tenant", "bank", "--opt-in-header", "X-Canary-Opt-In",
            "--guard", "error_rate=+25%", "--guard", "latency_p99=+20%,min=500");

        Assert.True(start.ExitCode == 0, start.ToString());
        var salt = Salt().Match(start.Output).Groups[1].Value;
        var entry = Assert.Single((await DesiredTableStore.ReadAsync(DataSource))!.Table!.Rollouts);
        Assert.Equal(salt, entry.Salt);
        Assert.Equal(["qa-1"], entry.ForcedCanaryUsers);
        Assert.Equal(["vip-1"], entry.ExcludedUsers);
        Assert.Equal(["bank"], entry.ExcludedTenants);
        Assert.Equal("x-canary-opt-in", entry.OptInHeader);
        using (var options = JsonDocument.Parse(await DataSource.ScalarAsync<string>("SELECT options_json::text FROM rollout_progress")))
        {
            Assert.Equal(salt, options.RootElement.GetProperty("salt").GetString());
            var guards = options.RootElement.GetProperty("guards").EnumerateArray().ToList();
            Assert.Equal(0.25, guards.Single(g => g.GetProperty("metric").GetString() == "ErrorRate").GetProperty("threshold").GetDouble());
            var p99 = guards.Single(g => g.GetProperty("quantile").GetDouble() == 0.99);
            Assert.Equal((0.2, 500L), (p99.GetProperty("threshold").GetDouble(), p99.GetProperty("minimumSamples").GetInt64()));
        }

        // The sidecar routes by what start put in the table: forced and opted-in users get the canary, exclusions win.
        Assert.Equal("canary", await Sidecar.RouteAsync(Route, "qa-1"));
        Assert.Equal("canary", await Sidecar.RouteAsync(Route, "someone", ("x-canary-opt-in", "1")));
        Assert.Equal("stable", await Sidecar.RouteAsync(Route, "vip-1", ("x-canary-opt-in", "1")));
        Assert.Equal("stable", await Sidecar.RouteAsync(Route, "qa-1", ("x-tenant-id", "bank")));

        // The next rollout on the route, the canary keeping its subset name, draws another cohort.
        Assert.Equal(0, (await AnalyzerAsync("rollback", "--rollout", Route, "--reason", "next version")).ExitCode);
        var again = await AnalyzerAsync("start", "--skip-preflight", "--route", Route, "--stable", "stable", "--canary", "canary");
        Assert.True(again.ExitCode == 0, again.ToString());
        var next = Salt().Match(again.Output).Groups[1].Value;
        Assert.NotEqual(salt, next);
        Assert.Equal(next, Assert.Single((await DesiredTableStore.ReadAsync(DataSource))!.Table!.Rollouts).Salt);
    }

    [PostgresFact]
    public async Task Finish_RunningThenCompleted_RefusedThenCanaryIsStableAndChecklistPrinted()
    {
        var start = await AnalyzerAsync(
            "start", "--skip-preflight", "--route", Route, "--stable", "stable", "--canary", "canary", "--schedule", "50/1h,100",
            "--forced-user", "qa-1", "--excluded-user", "vip-1");
        Assert.True(start.ExitCode == 0, start.ToString());

        var early = await AnalyzerAsync("finish", "--rollout", Route);

        Assert.Equal(2, early.ExitCode);
        Assert.Equal(
            $"canary-analyzer finish: cannot finish rollout \"{Route}\": it is running at 50% (stage 1 of 2); finish makes the canary the stable version only after the rollout completed at 100%; nothing was changed",
            early.Error.Trim());
        Assert.Equal(["start"], await DataSource.DecisionActionsAsync());

        Assert.Equal(0, (await AnalyzerAsync("promote", "--rollout", Route)).ExitCode);
        var complete = await AnalyzerAsync("run-once");
        Assert.True(complete.ExitCode == 0, complete.ToString());
        Assert.Contains($"{Route}: complete (100% -> 100%)", complete.Output, StringComparison.Ordinal);
        Assert.Equal("stable", await Sidecar.RouteAsync(Route, "vip-1"));
        var archive = await DataSource.ScalarAsync<DateTime>("SELECT archive_at FROM rollout_progress");

        var finish = await AnalyzerAsync("finish", "--rollout", Route);

        Assert.True(finish.ExitCode == 0, finish.ToString());
        Assert.Contains($"{Route}: finish (100% -> 100%): Finished by an operator: canary is the stable version; stable gets no requests.", finish.Output, StringComparison.Ordinal);
        Assert.Contains("push: 1/1 sidecars acknowledged", finish.Output, StringComparison.Ordinal);
        Assert.Contains($"{Route}: every request goes to subset canary, the stable version now; the rollout is finished", finish.Output, StringComparison.Ordinal);
        Assert.Contains("Removal checklist for the old version:", finish.Output, StringComparison.Ordinal);
        Assert.Contains($"  1. Keep the old version deployable until {archive:yyyy-MM-dd HH:mm} UTC (the archive date, 29 days from now)", finish.Output, StringComparison.Ordinal);
        Assert.Contains("  2. DestinationRule of the service: point subset \"stable\" at the new version's pods", finish.Output, StringComparison.Ordinal);
        Assert.Contains("  4. Then delete the old version's Deployment", finish.Output, StringComparison.Ordinal);

        // Everyone is on the former canary, the excluded user and the former tester included.
        foreach (var user in new[] { "vip-1", "qa-1", "anyone" })
        {
            Assert.Equal("canary", await Sidecar.RouteAsync(Route, user));
        }

        var entry = Assert.Single((await DesiredTableStore.ReadAsync(DataSource))!.Table!.Rollouts);
        Assert.Equal(("canary", "stable", 0), (entry.StableSubset, entry.CanarySubset, entry.CanaryWeightBasisPoints));
        Assert.Equal("finished", await DataSource.ScalarAsync<string>("SELECT status FROM rollout_progress"));
        var status = await AnalyzerAsync("status");
        Assert.Contains("finished", status.Output, StringComparison.Ordinal);

        // The lifecycle is over: no second finish, no rollback to the retired version.
        var twice = await AnalyzerAsync("finish", "--rollout", Route);
        Assert.Equal(2, twice.ExitCode);
        Assert.Contains("it is finished already", twice.Error, StringComparison.Ordinal);
        var rollback = await AnalyzerAsync("rollback", "--rollout", Route, "--reason", "oops");
        Assert.Equal(2, rollback.ExitCode);
        Assert.Contains("its canary is the stable version now; start a new rollout to change versions", rollback.Error, StringComparison.Ordinal);
        Assert.Equal(["finish", "complete", "promote", "start"], await DataSource.DecisionActionsAsync());
    }

    [GeneratedRegex("^salt: (\\S+)$", RegexOptions.Multiline)]
    private static partial Regex Salt();

    private async Task<AnalyzerRun> AnalyzerAsync(params string[] args)
    {
        var run = await AnalyzerRun.RunAsync([.. args, "--database", DataSource.ConnectionString, "--token-file", TokenFile, "--sidecars", Sidecar.Endpoint]);
        _output.WriteLine($"canary-analyzer {string.Join(' ', args)}: {run}");
        return run;
    }
}
