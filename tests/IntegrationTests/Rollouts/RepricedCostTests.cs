using System.Text.Json;
using Canary.Analyzer.Decisions;
using Canary.Analyzer.Rollouts;
using Canary.Contracts.Pricing;
using Canary.Contracts.Rollouts;
using Canary.Contracts.Telemetry;
using Canary.Contracts.Telemetry.Storage;
using Canary.IntegrationTests.Postgres;
using Microsoft.Extensions.Time.Testing;
using Npgsql;

namespace Canary.IntegrationTests.Rollouts;

/// <summary>A live run with a price table re-prices both arms' cost from their stored token histograms.</summary>
[Collection(PostgresCollection.Name)]
public sealed class RepricedCostTests
{
    private const string Rollout = "repricing.internal";
    private readonly PostgresServerFixture _postgres;

    public RepricedCostTests(PostgresServerFixture postgres) => _postgres = postgres;

    [PostgresFact]
    public async Task RunOnceAsync_PriceTable_RecordsRepricedCostAndJudgesTheCostGuardOnIt()
    {
        await using var dataSource = await _postgres.CreateDatabaseAsync();
        await SchemaMigrator.MigrateAsync(dataSource);
        // The runner's clock, not the machine's: the telemetry is written strictly inside the window [stage start, now).
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 3, 1, 12, 0, 0, TimeSpan.Zero));
        var errors = new List<string>();
        var prices = PriceTableFile.Parse(
            """[ { "Model": "model-old", "Input": 1, "Output": 10 }, { "Model": "model-new-*", "Input": "1", "Output": "10" } ]""", errors);
        Assert.Empty(errors);
        var runner = new RolloutRunner(dataSource, new DecisionEngine(time), time, null, null) { Prices = prices };
        var options = ScheduleParser.Parse("5/1h,10/1h,25/1h,50/1h,75/1h,100", new DecisionOptions(), errors) with { WarmUp = TimeSpan.Zero };
        await new RolloutLifecycle(dataSource, runner, time).StartAsync(new RolloutDefinition
        {
            RouteKey = Rollout, StableSubset = "stable", CanarySubset = "canary", Salt = "price",
            StableModel = "model-old", CanaryModel = "model-new-2026",
        }, options, default);

        // Same recorded cost (2000 µ$, the old price list), but the canary writes three times the output tokens.
        time.Advance(TimeSpan.FromMinutes(1));
        await SeedAsync(dataSource, "stable", outputTokens: 100, time.GetUtcNow());
        await SeedAsync(dataSource, "canary", outputTokens: 300, time.GetUtcNow());
        time.Advance(TimeSpan.FromMinutes(1));
        var outcome = await runner.RunOnceAsync(dryRun: true, default);

        using var evidence = JsonDocument.Parse(Assert.Single(outcome.Decisions).EvidenceJson);
        var root = evidence.RootElement;
        // By hand: 1000 input × 1 + 100 output × 10 = 2000 µ$ (stable); 1000 + 300 × 10 = 4000 µ$ (canary).
        Assert.Equal(2000, root.GetProperty("stable").GetProperty("repricedCostMeanMicroUsd").GetDouble(), 1e-6);
        Assert.Equal(4000, root.GetProperty("canary").GetProperty("repricedCostMeanMicroUsd").GetDouble(), 1e-6);
        // The recorded cost's mean is read off the histogram buckets (3 significant digits), so within 0.5 %.
        Assert.Equal(2000, root.GetProperty("canary").GetProperty("costMeanMicroUsd").GetDouble(), 10.0);
        var cost = root.GetProperty("guards").EnumerateArray().Single(g => g.GetProperty("key").GetString() == "cost_per_request");
        Assert.Equal(4000, cost.GetProperty("canaryValue").GetDouble(), 1e-6);
        Assert.Equal(2, cost.GetProperty("ratio").GetDouble(), 1e-9);
    }

    private static async Task SeedAsync(NpgsqlDataSource dataSource, string subset, long outputTokens, DateTimeOffset at)
    {
        const int requests = 1200;
        var histograms = new List<HistogramRow>();
        foreach (var (metric, value) in new[] { (TelemetryMetric.InputTokens, 1000L), (TelemetryMetric.OutputTokens, outputTokens), (TelemetryMetric.CostMicroUsd, 2000L) })
        {
            var histogram = new MergedHistogram(TelemetryLayouts.For(metric));
            for (var i = 0; i < requests; i++)
            {
                histogram.Record(value);
            }

            histograms.Add(HistogramRow.FromEncoding("seed", Rollout, subset, TelemetryNames.Metric(metric), at.UtcDateTime, 10_000, histogram.Encode()));
        }

        CounterRow[] counters = [new("seed", Rollout, subset, TelemetryNames.Counter(TelemetryCounter.Requests), at.UtcDateTime, 10_000, requests)];
        await new TelemetryRowWriter(dataSource).WriteAsync(histograms, counters, CancellationToken.None);
    }
}
