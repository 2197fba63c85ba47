using System.Text.Json;
using Canary.Contracts.Rollouts;
using Canary.IntegrationTests.Postgres;
using Canary.IntegrationTests.Processes;
using Canary.IntegrationTests.StandIns;
using Npgsql;
using Xunit.Abstractions;

namespace Canary.IntegrationTests.Tripwire;

/// <summary>
/// A sidecar's local tripwire rolls a failing canary back on its own; the analyzer sees the trip through the control
/// API, records it as a rollback decision with the sidecar's evidence, alerts, marks the rollout rolled back and pushes
/// the table that confirms the trip, and never pushes a table that would undo it. Real sidecar processes (the
/// tripwire tripped by real ext_proc exchanges), real analyzer processes, real PostgreSQL, a local webhook receiver.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class TripwireAnalyzerTests : IAsyncLifetime
{
    private const string Route = "chat.example.internal";
    private const string Token = "tripwire-token";
    private readonly PostgresServerFixture _postgres;
    private readonly ITestOutputHelper _output;
    private readonly string _directory = Directory.CreateTempSubdirectory("canary-tripwire-").FullName;
    private readonly List<SidecarProcess> _sidecars = [];
    private NpgsqlDataSource? _dataSource;
    private HttpStandIn? _webhook;

    public TripwireAnalyzerTests(PostgresServerFixture postgres, ITestOutputHelper output)
    {
        _postgres = postgres;
        _output = output;
    }

    private string TokenFile => Path.Combine(_directory, "token");

    private NpgsqlDataSource DataSource => _dataSource!;

    public async Task InitializeAsync()
    {
        await File.WriteAllTextAsync(TokenFile, Token);
        _dataSource = await _postgres.CreateDatabaseAsync();
        _webhook = new HttpStandIn(_ => new StandInResponse(200, "ok"));
        foreach (var name in new[] { "sidecar-a", "sidecar-b" })
        {
            // Bound: more than 4 failures of a window of 20.
            _sidecars.Add(await SidecarProcess.StartAsync(name, TokenFile, settings: "--Canary:Tripwire:WindowRequests=20"));
        }
    }

    public async Task DisposeAsync()
    {
        foreach (var sidecar in _sidecars)
        {
            await sidecar.DisposeAsync();
        }

        await _webhook!.DisposeAsync();
        await _dataSource!.DisposeAsync();
        Directory.Delete(_directory, recursive: true);
    }

    [PostgresFact]
    public async Task RunOnce_SidecarTripped_RecordedAsRollbackAlertedAndConfirmedOnEverySidecarOnce()
    {
        var (a, b) = (_sidecars[0], _sidecars[1]);
        await StartAsync();
        await TripwireTrips.TripAsync(a, Route, Token);
        var trip = Assert.Single((await a.GetTableAsync(Token)).TripwireTrips);
        Assert.False(trip.Confirmed);

        var run = await AnalyzerAsync("run-once");

        Assert.True(run.ExitCode == 3, run.ToString());
        Assert.Contains(
            $"{Route}: rollback (50% -> 0%): Rolled back by the tripwire of sidecar sidecar-a (127.0.0.1:{a.ControlPort}) at ",
            run.Output, StringComparison.Ordinal);
        Assert.Contains($"in its window the canary failed {trip.CanaryFailures} of its last {trip.CanaryRequests} requests", run.Output, StringComparison.Ordinal);
        Assert.Contains($"stable {trip.StableFailures} of {trip.StableRequests}", run.Output, StringComparison.Ordinal);
        Assert.Contains("push: 2/2 sidecars acknowledged", run.Output, StringComparison.Ordinal);

        // The newer table rolls the rollout back: the trip is confirmed where it happened, and the other sidecar follows.
        var held = await a.GetTableAsync(Token);
        Assert.True(Assert.Single(held.TripwireTrips).Confirmed);
        Assert.Equal(Canary.Contracts.V1.TableSource.Push, held.Source);
        Assert.Equal(Canary.Contracts.V1.RolloutState.RolledBack, Assert.Single((await b.GetTableAsync(Token)).Table.Rollouts).State);
        Assert.Equal("stable", await b.ExchangeAsync(Route, "qa-forced", _ => 200));
        var desired = await DesiredTableStore.ReadAsync(DataSource);
        Assert.Equal(RolloutState.RolledBack, Assert.Single(desired!.Table!.Rollouts).State);
        Assert.Equal("rolled_back", await DataSource.ScalarAsync<string>("SELECT status FROM rollout_progress"));

        // The decision carries the trip's evidence, and the alert names the sidecar.
        var evidence = JsonDocument.Parse(await DataSource.ScalarAsync<string>("SELECT evidence_json::text FROM rollout_decisions WHERE action = 'rollback'")).RootElement.GetProperty("tripwire");
        Assert.Equal("sidecar-a", evidence.GetProperty("sidecarId").GetString());
        Assert.Equal(trip.CanaryFailures, evidence.GetProperty("canaryFailures").GetInt32());
        Assert.Equal(trip.Generation, evidence.GetProperty("generation").GetInt64());
        var alert = JsonDocument.Parse(Assert.Single(_webhook!.Requests).Body).RootElement;
        Assert.Equal("rollback", alert.GetProperty("event").GetString());
        Assert.Contains("the tripwire of sidecar sidecar-a", alert.GetProperty("reason").GetString(), StringComparison.Ordinal);

        // Seen again by the next run (the sidecar keeps reporting it): not recorded twice, nothing pushed.
        var again = await AnalyzerAsync("run-once");
        Assert.True(again.ExitCode == 0, again.ToString());
        Assert.Contains("no running rollout", again.Output, StringComparison.Ordinal);
        Assert.Equal(1L, await DataSource.ScalarAsync<long>("SELECT count(*) FROM rollout_decisions WHERE action IN ('rollback', 'tripwire')"));
        Assert.Equal(1L, await DataSource.ScalarAsync<long>("SELECT count(*) FROM rollout_tripwire_trips"));
        Assert.Single(_webhook.Requests);
    }

    [PostgresFact]
    public async Task Promote_SidecarTrippedSinceTheLastRun_PushWithheldTripRecordedAndConfirmedInstead()
    {
        var (a, b) = (_sidecars[0], _sidecars[1]);
        await StartAsync();
        await TripwireTrips.TripAsync(a, Route, Token);
        var tripped = await a.GetTableAsync(Token);

        var promote = await AnalyzerAsync("promote", "--rollout", Route);

        Assert.True(promote.ExitCode == 3, promote.ToString());
        Assert.Contains($"{Route}: promote (50% -> 100%)", promote.Output, StringComparison.Ordinal);
        Assert.Contains($"sidecar-a (127.0.0.1:{a.ControlPort}): NOT pushed (withheld: its tripwire rolled back {Route} (generation {tripped.Table.Generation}), which this table would undo)", promote.Output, StringComparison.Ordinal);
        Assert.Contains($"{Route}: rollback (100% -> 0%): Rolled back by the tripwire of sidecar sidecar-a", promote.Output, StringComparison.Ordinal);
        Assert.Contains($"rolls back {Route} after the tripwire trips, confirming them", promote.Output, StringComparison.Ordinal);
        Assert.Contains("push: 2/2 sidecars acknowledged", promote.Output, StringComparison.Ordinal);

        // The tripped sidecar never applied the promotion: a table that re-activated the rollout would have ended the
        // trip; it is still there, confirmed by the rollback.
        var held = await a.GetTableAsync(Token);
        Assert.True(Assert.Single(held.TripwireTrips).Confirmed);
        Assert.Equal(Canary.Contracts.V1.RolloutState.RolledBack, Assert.Single(held.Table.Rollouts).State);
        Assert.Equal(Canary.Contracts.V1.RolloutState.RolledBack, Assert.Single((await b.GetTableAsync(Token)).Table.Rollouts).State);
        Assert.Equal("rolled_back", await DataSource.ScalarAsync<string>("SELECT status FROM rollout_progress"));
        Assert.Equal(["rollback", "promote", "start"], await DataSource.DecisionActionsAsync());
        var alert = JsonDocument.Parse(Assert.Single(_webhook!.Requests, r => r.Body.Contains("\"rollback\"", StringComparison.Ordinal)).Body).RootElement;
        Assert.Contains("the tripwire of sidecar sidecar-a", alert.GetProperty("reason").GetString(), StringComparison.Ordinal);
    }

    [PostgresFact]
    public async Task Serve_SidecarTrips_RecordedAndConfirmedByTheLoop()
    {
        var (a, b) = (_sidecars[0], _sidecars[1]);
        await StartAsync();
        await using var serve = ChildProcess.Start(CanaryProgram.Analyzer, ["serve", "--interval", "1s", .. Connection()], Environment());
        await serve.WaitForOutputAsync($"{Route}: hold");

        await TripwireTrips.TripAsync(b, Route, Token);

        await Eventually.UntilAsync(
            async () => (await b.GetTableAsync(Token)).TripwireTrips.Any(t => t.Confirmed),
            "serve confirming the trip of sidecar-b");

        // The run prints its outcome once every push of the run is answered, which can be after sidecar-b applied the
        // confirming table: the line is waited for, not assumed, before the loop is stopped.
        await serve.WaitForOutputAsync($"{Route}: rollback (50% -> 0%): Rolled back by the tripwire of sidecar sidecar-b");
        Assert.Equal(0, await serve.TerminateAsync(TimeSpan.FromSeconds(15)));
        _output.WriteLine(serve.Output);
        Assert.Equal("rolled_back", await DataSource.ScalarAsync<string>("SELECT status FROM rollout_progress"));
        Assert.Equal(Canary.Contracts.V1.RolloutState.RolledBack, Assert.Single((await a.GetTableAsync(Token)).Table.Rollouts).State);
        Assert.Equal(1L, await DataSource.ScalarAsync<long>("SELECT count(*) FROM rollout_decisions WHERE action = 'rollback'"));
        Assert.Contains(_webhook!.Requests, r => r.Body.Contains("the tripwire of sidecar sidecar-b", StringComparison.Ordinal));
    }

    private async Task StartAsync()
    {
        var start = await AnalyzerAsync(
            "start", "--skip-preflight", "--route", Route, "--stable", "stable", "--canary", "canary", "--schedule", "50/1h,100", "--warm-up", "0s");
        Assert.True(start.ExitCode == 0, start.ToString());
    }

    private string[] Connection() =>
        ["--database", DataSource.ConnectionString, "--token-file", TokenFile, "--sidecars", .. _sidecars.Select(s => s.Endpoint)];

    private Dictionary<string, string> Environment() => new()
    {
        ["Canary__Alerts__Webhooks__0__Url"] = _webhook!.Uri.ToString(),
    };

    private async Task<AnalyzerRun> AnalyzerAsync(params string[] args)
    {
        var run = await AnalyzerRun.RunAsync([.. args, .. Connection()], Environment());
        _output.WriteLine($"canary-analyzer {string.Join(' ', args)}: {run}");
        return run;
    }
}
