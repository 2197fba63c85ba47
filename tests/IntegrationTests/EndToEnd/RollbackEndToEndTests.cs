using Canary.Analyzer.Decisions;
using Canary.Analyzer.Discovery;
using Canary.Analyzer.Push;
using Canary.Analyzer.Rollouts;
using Canary.Contracts.Rollouts;
using Canary.Contracts.Telemetry;
using Canary.Contracts.Telemetry.Storage;
using Canary.IntegrationTests.Postgres;
using Canary.IntegrationTests.Processes;
using Canary.Sidecar.Hosting;
using Canary.Sidecar.Model;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Xunit.Abstractions;

namespace Canary.IntegrationTests.EndToEnd;

/// <summary>
/// The whole loop on loopback: real PostgreSQL, three real sidecar hosts with token-protected control APIs, seeded
/// telemetry of a canary with ten times stable's error rate; one analyzer run decides rollback, writes the desired
/// table, and every sidecar acknowledges and routes 0 % canary.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class RollbackEndToEndTests
{
    private const string Token = "end-to-end-token";
    private const string Rollout = "chat.example.internal";
    private readonly PostgresServerFixture _postgres;
    private readonly ITestOutputHelper _output;

    public RollbackEndToEndTests(PostgresServerFixture postgres, ITestOutputHelper output)
    {
        _postgres = postgres;
        _output = output;
    }

    [PostgresFact]
    public async Task RunOnce_BadCanary_RollsBackAndEverySidecarRoutesStable()
    {
        await using var dataSource = await _postgres.CreateDatabaseAsync();
        var directory = Directory.CreateTempSubdirectory("canary-e2e-").FullName;
        var tokenFile = Path.Combine(directory, "token");
        await File.WriteAllTextAsync(tokenFile, Token);
        var sidecars = new List<(WebApplication App, int ControlPort)>();
        try
        {
            for (var i = 0; i < 3; i++)
            {
                var app = SidecarApplication.Build(
                [
                    $"--Canary:SidecarId=sidecar-{i}", "--Canary:ExtProc:Port=0", "--Canary:Control:Port=0",
                    "--Canary:Metrics:Port=0", "--Canary:Control:BindAddress=127.0.0.1", "--Canary:Metrics:BindAddress=127.0.0.1",
                    $"--Canary:Control:TokenFile={tokenFile}",
                ]);
                await app.StartAsync();
                sidecars.Add((app, app.Services.GetRequiredService<ListenerEndpoints>().ControlPort));
            }

            var time = TimeProvider.System;
            var discovery = StaticSidecarDiscovery.Parse(sidecars.Select((s, i) => $"sidecar-{i}=127.0.0.1:{s.ControlPort}"));
            var runner = new RolloutRunner(dataSource, new DecisionEngine(time), time, discovery, new TablePusher(Token, TimeSpan.FromSeconds(2)));
            var lifecycle = new RolloutLifecycle(dataSource, runner, time);
            var errors = new List<string>();
            var options = ScheduleParser.Parse("5/1h,10/1h,25/1h,50/1h,75/1h,100", new DecisionOptions(), errors) with { WarmUp = TimeSpan.Zero };
            Assert.Empty(errors);

            var started = await lifecycle.StartAsync(
                new RolloutDefinition { RouteKey = Rollout, StableSubset = "stable", CanarySubset = "canary", Salt = "e2e" }, options, default);
            Assert.True(started.Push!.Complete);
            foreach (var (app, _) in sidecars)
            {
                Assert.Equal(500, Route(app).WeightBasisPoints);
            }

            // A day-one canary at 5 %: 1 100 canary requests with 10 % errors against 20 900 stable ones with 1 %, a minute
            // into the past, inside the window from the (moved) stage start to the run's now.
            var stageStart = await StageStart.MoveBackAsync(dataSource, Rollout, TimeSpan.FromMinutes(2));
            await SeedAsync(dataSource, "canary", requests: 1100, errors: 110, stageStart.AddMinutes(1));
            await SeedAsync(dataSource, "stable", requests: 20900, errors: 209, stageStart.AddMinutes(1));

            var outcome = await runner.RunOnceAsync(dryRun: false, default);

            var decision = Assert.Single(outcome.Decisions);
            Assert.Equal("rollback", decision.Action);
            _output.WriteLine($"decision: {decision.Reason}");
            Assert.NotNull(outcome.Push);
            Assert.True(outcome.Push.Complete, string.Join("; ", outcome.Push.Results.Select(r => $"{r.Sidecar}: {r.Error}")));
            _output.WriteLine($"decision to last acknowledgement: {outcome.Push.DecisionToLastAck.TotalMilliseconds:0.0} ms over {outcome.Push.Results.Count} sidecars");
            foreach (var (app, _) in sidecars)
            {
                var route = Route(app);
                Assert.Equal(0, route.WeightBasisPoints);
                Assert.True(route.RolledBack);
            }

            var desired = await DesiredTableStore.ReadAsync(dataSource);
            Assert.Equal(RolloutState.RolledBack, Assert.Single(desired!.Table!.Rollouts).State);
            var history = await RolloutStore.ReadHistoryAsync(dataSource, Rollout, 10, default);
            Assert.Equal(["rollback", "start"], history.Select(h => h.Action));
            using (var evidence = System.Text.Json.JsonDocument.Parse(history[0].EvidenceJson))
            {
                Assert.Equal(110, evidence.RootElement.GetProperty("canary").GetProperty("errors").GetInt64());
                Assert.Equal(20900, evidence.RootElement.GetProperty("stable").GetProperty("requests").GetInt64());
            }
            await using var acks = dataSource.CreateCommand("SELECT count(*) FROM rollout_push_acks WHERE acknowledged");
            Assert.Equal(6L, (long)(await acks.ExecuteScalarAsync())!);

            // A second run finds nothing running and changes nothing.
            var again = await runner.RunOnceAsync(dryRun: false, default);
            Assert.Empty(again.Decisions);
            Assert.Null(again.Push);
        }
        finally
        {
            foreach (var (app, _) in sidecars)
            {
                await app.StopAsync();
                await app.DisposeAsync();
            }

            Directory.Delete(directory, recursive: true);
        }
    }

    private static RolloutModel Route(WebApplication app) =>
        Assert.Single(app.Services.GetRequiredService<RolloutTableHolder>().Current.Routes);

    private static async Task SeedAsync(NpgsqlDataSource dataSource, string subset, long requests, long errors, DateTime at)
    {
        var counters = new[] { (TelemetryCounter.Requests, requests), (TelemetryCounter.Status5xx, errors), (TelemetryCounter.Status2xx, requests - errors) }
            .Select(c => new CounterRow("seed", Rollout, subset, TelemetryNames.Counter(c.Item1), at, 10_000, c.Item2))
            .ToArray();

        // Latency: the same distribution on both arms (the error rate is what is worse).
        var latency = new MergedHistogram(TelemetryLayouts.For(TelemetryMetric.DurationUs));
        var random = new Random(subset.Length);
        for (var i = 0; i < requests; i++)
        {
            latency.Record(200_000 + random.Next(300_000));
        }

        HistogramRow[] histograms =
            [HistogramRow.FromEncoding("seed", Rollout, subset, TelemetryNames.Metric(TelemetryMetric.DurationUs), at, 10_000, latency.Encode())];
        await new TelemetryRowWriter(dataSource).WriteAsync(histograms, counters, CancellationToken.None);
    }
}
