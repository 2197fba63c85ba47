using Canary.Analyzer.Decisions;
using Canary.Analyzer.Discovery;
using Canary.Analyzer.Push;
using Canary.Analyzer.Rollouts;
using Canary.Contracts.Rollouts;
using Canary.Contracts.Telemetry;
using Canary.IntegrationTests.Postgres;
using Canary.IntegrationTests.Processes;
using Canary.Sidecar.Hosting;
using Canary.Sidecar.Model;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using NpgsqlTypes;
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
        await using var connection = await dataSource.OpenConnectionAsync();
        foreach (var (counter, value) in new[] { (TelemetryCounter.Requests, requests), (TelemetryCounter.Status5xx, errors), (TelemetryCounter.Status2xx, requests - errors) })
        {
            await using var command = new NpgsqlCommand(
                "INSERT INTO interval_counters (sidecar_id, rollout, subset, counter, interval_start, interval_ms, value) VALUES ('seed', $1, $2, $3, $4, 10000, $5)", connection);
            command.Parameters.Add(new NpgsqlParameter { Value = Rollout, NpgsqlDbType = NpgsqlDbType.Text });
            command.Parameters.Add(new NpgsqlParameter { Value = subset, NpgsqlDbType = NpgsqlDbType.Text });
            command.Parameters.Add(new NpgsqlParameter { Value = TelemetryNames.Counter(counter), NpgsqlDbType = NpgsqlDbType.Text });
            command.Parameters.Add(new NpgsqlParameter { Value = at, NpgsqlDbType = NpgsqlDbType.TimestampTz });
            command.Parameters.Add(new NpgsqlParameter { Value = value, NpgsqlDbType = NpgsqlDbType.Bigint });
            await command.ExecuteNonQueryAsync();
        }

        // Latency: the same distribution on both arms (the error rate is what is worse).
        var recorder = new IntervalRecorder(TelemetryLayouts.For(TelemetryMetric.DurationUs));
        var random = new Random(subset.Length);
        for (var i = 0; i < requests; i++)
        {
            recorder.Record(200_000 + random.Next(300_000));
        }

        var interval = recorder.TakeInterval();
        var buffer = new byte[HistogramCodec.MaxEncodedLength(interval.Layout)];
        var length = HistogramCodec.Encode(interval, buffer);
        await using var histogram = new NpgsqlCommand(
            "INSERT INTO interval_histograms (sidecar_id, rollout, subset, metric, interval_start, interval_ms, count, sum, min, max, encoded) " +
            "VALUES ('seed', $1, $2, $3, $4, 10000, $5, $6, $7, $8, $9)", connection);
        histogram.Parameters.Add(new NpgsqlParameter { Value = Rollout, NpgsqlDbType = NpgsqlDbType.Text });
        histogram.Parameters.Add(new NpgsqlParameter { Value = subset, NpgsqlDbType = NpgsqlDbType.Text });
        histogram.Parameters.Add(new NpgsqlParameter { Value = TelemetryNames.Metric(TelemetryMetric.DurationUs), NpgsqlDbType = NpgsqlDbType.Text });
        histogram.Parameters.Add(new NpgsqlParameter { Value = at, NpgsqlDbType = NpgsqlDbType.TimestampTz });
        histogram.Parameters.Add(new NpgsqlParameter { Value = interval.TotalCount(), NpgsqlDbType = NpgsqlDbType.Bigint });
        histogram.Parameters.Add(new NpgsqlParameter { Value = interval.Sum, NpgsqlDbType = NpgsqlDbType.Bigint });
        histogram.Parameters.Add(new NpgsqlParameter { Value = interval.Min, NpgsqlDbType = NpgsqlDbType.Bigint });
        histogram.Parameters.Add(new NpgsqlParameter { Value = interval.Max, NpgsqlDbType = NpgsqlDbType.Bigint });
        histogram.Parameters.Add(new NpgsqlParameter { Value = buffer[..length], NpgsqlDbType = NpgsqlDbType.Bytea });
        await histogram.ExecuteNonQueryAsync();
    }
}
