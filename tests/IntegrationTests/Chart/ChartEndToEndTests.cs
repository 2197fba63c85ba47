using System.Runtime.Versioning;
using System.Text;
using System.Text.RegularExpressions;
using Canary.Demo.FakeModels;
using Canary.IntegrationTests.Chart.Envoy;
using Canary.IntegrationTests.Chart.Kubernetes;
using Canary.IntegrationTests.Chart.Manifests;
using Canary.IntegrationTests.Postgres;
using Canary.Sidecar.Routing;
using Xunit.Abstractions;

namespace Canary.IntegrationTests.Chart;

/// <summary>
/// The chart deployed as Kubernetes would deploy it, without Kubernetes: <c>helm template</c> for a values file, the
/// rendered containers started as local processes (the Native-AOT binaries) in pod sandboxes with their rendered
/// commands, environment and mounts (<see cref="ChartCluster"/> lists how each in-cluster thing maps to a local one),
/// a real PostgreSQL, the Kubernetes API stand-in, and the Envoy stand-in running the rendered EnvoyFilter. Then an
/// operator follows docs/runbook.md with the analyzer commands the image ships. docs/testing.md lists which chart
/// values these tests exercise.
/// </summary>
[Collection(PostgresCollection.Name)]
[SupportedOSPlatform("linux")]
public sealed class ChartEndToEndTests
{
    private const string Namespace = "inference";
    private readonly PostgresServerFixture _postgres;
    private readonly ITestOutputHelper _output;

    public ChartEndToEndTests(PostgresServerFixture postgres, ITestOutputHelper output)
    {
        _postgres = postgres;
        _output = output;
    }

    /// <summary>
    /// Default values (sidecar mode, two workload pods from the snippet): the sidecars start from the chart's table
    /// (generation 1, no rollouts); a rollout started against them reaches both (the analyzer finds them through
    /// discovery and writes above the file's generation); users are routed by their sticky bucket; and with a sidecar
    /// stopped, a client-sent subset header never reaches the router.
    /// </summary>
    [ChartEndToEndFact]
    public async Task DefaultValues_StartRollout_EverySidecarRoutesStickyUsersAndAStoppedSidecarLetsNoClientPickASubset()
    {
        await using var database = await _postgres.CreateDatabaseAsync();
        var chart = RenderedChart.Render("canary", Namespace, valuesFile: null);
        _output.WriteLine(chart.ToString());
        await using var cluster = await ChartCluster.StartAsync(chart, database, _output, ModelBehavior.Healthy("v1"), ModelBehavior.Healthy("v2"));

        foreach (var pod in cluster.SidecarPods)
        {
            var table = await SidecarControl.GetTableAsync(cluster, pod);
            Assert.Equal(Canary.Contracts.V1.TableSource.File, table.Source);
            Assert.Equal(1, table.Table.Generation);
            Assert.Empty(table.Table.Rollouts);
            Assert.Equal(pod.Name, table.SidecarId);
        }

        const string Route = ChartCluster.ModelsHost;
        var start = await cluster.AnalyzerAsync("start", "--route", Route, "--stable", "stable", "--canary", "canary", "--skip-preflight", "--skipped-by", "e2e");
        Assert.True(start.ExitCode == 0, start.ToString());
        Assert.Contains("push: 2/2 sidecars acknowledged", start.Output, StringComparison.Ordinal);

        string? salt = null;
        foreach (var pod in cluster.SidecarPods)
        {
            var table = await SidecarControl.GetTableAsync(cluster, pod);
            Assert.True(table.Table.Generation > 1, table.ToString());
            var rollout = Assert.Single(table.Table.Rollouts);
            Assert.Equal(Route, rollout.RouteKey);
            Assert.Equal(500, rollout.CanaryWeightBasisPoints);
            salt ??= rollout.Salt;
            Assert.Equal(salt, rollout.Salt);

            // The chart's cache volume (sidecar.cacheFile) holds the pushed table, for a restart without PostgreSQL.
            var cache = Path.Combine(pod.Directory, "volumes", "canary-cache", "table-cache.json");
            await Eventually.UntilAsync(() => Task.FromResult(File.Exists(cache) && File.ReadAllText(cache).Contains(Route, StringComparison.Ordinal)), static written => written, $"{pod.Name}'s table cache");
        }

        AssertEverySelectorListed(cluster);

        await AssertStickyRoutingAsync(cluster, Route, 80, salt!, weight: 500);

        // A client that names a subset itself: with the sidecar up its header is overwritten; with it stopped, the
        // EnvoyFilter's header removal still keeps it from the router (failure_mode_allow lets the request through).
        var pinned = await cluster.Envoys[0].SendAsync(ChatRequest.Headers(Route, TrafficLoad.User(1), clientSubset: "canary"), 80);
        Assert.Equal(StickyBucket.Compute(Encoding.UTF8.GetBytes(salt!), Encoding.UTF8.GetBytes(TrafficLoad.User(1))) < 500 ? "canary" : "stable", pinned.SubsetHeaderAtRouter);
        await cluster.SidecarPods[0].StopContainerAsync("canary-sidecar");
        var unprocessed = await cluster.Envoys[0].SendAsync(ChatRequest.Headers(Route, TrafficLoad.User(1), clientSubset: "canary"), 80);
        Assert.False(unprocessed.ProcessorAnswered);
        Assert.Null(unprocessed.SubsetHeaderAtRouter);
    }

    /// <summary>
    /// Sidecar mode with the analyzer as the chart's CronJob, every minute: a canary worse than stable on errors,
    /// latency and refusals, started by the operator, is rolled back by a scheduled <c>run-once</c> Job (exit 3) from the
    /// telemetry both workload sidecars wrote to PostgreSQL; every sidecar then holds the rollback and routes every
    /// sticky user to stable, and status and history say so.
    /// </summary>
    [ChartEndToEndFact]
    public async Task SidecarMode_CronJobEveryMinute_BadCanaryRolledBackByAScheduledRun()
    {
        await using var database = await _postgres.CreateDatabaseAsync();
        var chart = RenderedChart.Render("canary", Namespace, "e2e-sidecar-values.yaml");
        _output.WriteLine(chart.ToString());
        var bad = BadCanary("v2");
        await using var cluster = await ChartCluster.StartAsync(chart, database, _output, ModelBehavior.Healthy("v1"), bad);
        Assert.NotNull(cluster.CronJob);

        const string Route = ChartCluster.ModelsHost;
        var start = await cluster.AnalyzerAsync(
            "start", "--route", Route, "--stable", "stable", "--canary", "canary", "--skip-preflight", "--skipped-by", "e2e",
            "--schedule", "25/1h,50/1h,75/1h,100", "--min-samples", "200", "--warm-up", "2s");
        Assert.True(start.ExitCode == 0, start.ToString());
        Assert.Contains("push: 2/2 sidecars acknowledged", start.Output, StringComparison.Ordinal);
        var salt = Assert.Single((await SidecarControl.GetTableAsync(cluster, cluster.SidecarPods[0])).Table.Rollouts).Salt;
        AssertMeshWeights(cluster, Route, stable: 75, canary: 25);

        JobRun rollback;
        await using (var load = new TrafficLoad(cluster.Envoys, Route, 8000, requestsPerSecond: 120, users: 2000, seed: 7))
        {
            // The signal: a scheduled Job that exits 3 (rolled back). Earlier runs may hold for samples (exit 0).
            rollback = await Eventually.UntilAsync(
                () => Task.FromResult(cluster.CronJob.Runs.FirstOrDefault(r => r.ExitCode != 0)),
                static run => run is not null,
                "a scheduled run-once that is not a hold",
                TimeSpan.FromMinutes(6)) ?? throw new InvalidOperationException("unreachable");
            Assert.True(load.RoutedBySubset.GetValueOrDefault("canary") > 0, "no request reached the canary");
        }

        foreach (var run in cluster.CronJob.Runs)
        {
            _output.WriteLine(run.ToString());
        }

        Assert.True(rollback.ExitCode == 3, rollback.ToString());
        Assert.Contains($"{Route}: rollback (25% -> 0%)", rollback.Output, StringComparison.Ordinal);
        Assert.Contains("push: 2/2 sidecars acknowledged", rollback.Output, StringComparison.Ordinal);
        Assert.All(
            cluster.CronJob.Runs.Where(r => r != rollback),
            r => Assert.True(r.ExitCode == 0 && (r.Output.Contains(": hold (", StringComparison.Ordinal) || r.Output.Contains("no running rollout", StringComparison.Ordinal)), r.ToString()));

        foreach (var pod in cluster.SidecarPods)
        {
            var rollout = Assert.Single((await SidecarControl.GetTableAsync(cluster, pod)).Table.Rollouts);
            Assert.Equal(Canary.Contracts.V1.RolloutState.RolledBack, rollout.State);
        }

        await AssertStickyRoutingAsync(cluster, Route, 8000, salt, weight: 0, rolledBack: true);
        // Mesh-weight mode (values): the rollback run also set the default route, through the analyzer's rendered Role.
        AssertMeshWeights(cluster, Route, stable: 100, canary: 0);
        Assert.Contains(cluster.Api.Requests, r => r is { Method: "PATCH", Status: 200 } && r.PathAndQuery.Contains("/virtualservices/", StringComparison.Ordinal));
        Assert.DoesNotContain(cluster.Api.Requests, r => r.PathAndQuery.Contains("/virtualservices/", StringComparison.Ordinal) && r.Status != 200);
        var status = await cluster.AnalyzerAsync("status", "--rollout", Route);
        Assert.Matches(@"chat\.models\.svc\.cluster\.local\s+rolled.?back", status.Output);
        var history = await cluster.AnalyzerAsync("history", "--rollout", Route);
        var lines = history.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Contains("rollback", lines[0], StringComparison.Ordinal);
        Assert.Contains("start", lines[^1], StringComparison.Ordinal);
        await AssertTelemetryAsync(cluster, Route);

        AssertEverySelectorListed(cluster);
    }

    /// <summary>
    /// Gateway mode with the analyzer as the chart's Deployment (<c>serve</c> every two seconds), following
    /// docs/runbook.md: stage 1 (preflight against both versions' Services), start, promotion through every stage to
    /// completion by the analyzer alone, with status, history, every sidecar's table, sticky routing and the telemetry
    /// checked; then a second rollout of a bad canary build, rolled back by the analyzer.
    /// </summary>
    [ChartEndToEndFact]
    public async Task GatewayMode_ServeDeployment_RunbookPromotesToCompletionThenRollsBackABadCanary()
    {
        await using var database = await _postgres.CreateDatabaseAsync();
        var chart = RenderedChart.Render("canary", Namespace, "e2e-gateway-values.yaml");
        _output.WriteLine(chart.ToString());
        await using var cluster = await ChartCluster.StartAsync(chart, database, _output, ModelBehavior.Healthy("v1"), ModelBehavior.Healthy("v2"));
        Assert.NotNull(cluster.AnalyzerPod);
        Assert.Equal(2, cluster.SidecarPods.Count);
        const string Route = "chat.example.com";

        // Stage 1: the curated test set, copied into the analyzer pod (kubectl cp) and run against both versions.
        await File.WriteAllTextAsync(
            Path.Combine(cluster.AnalyzerPod.Directory, "volumes", "canary-tmp", "cases.jsonl"),
            string.Join('\n', Enumerable.Range(1, 8).Select(i => $$$"""{"id":"case-{{{i}}}","prompt":"Say hello {{{i}}}","expect":{"max_output_tokens":1000}}""")) + "\n");
        var preflight = await cluster.AnalyzerAsync(
            "preflight", "--rollout", Route, "--stable", "stable", "--canary", "canary", "--test-set", "/tmp/cases.jsonl",
            "--stable-url", "http://chat-v1.models.svc.cluster.local:8000", "--canary-url", "http://chat-v2.models.svc.cluster.local:8000",
            "--stream", "--concurrency", "1", "--output-dir", "/tmp",
            // Both versions are the same healthy fake, so any latency difference is the shared machine's noise (one
            // retried call puts a second into an 8-case p95): the latency gate is tested in the preflight's own tests.
            "--latency-slack-ms", "600000");
        Assert.True(preflight.ExitCode == 0, preflight.ToString());

        var start = await cluster.AnalyzerAsync(
            "start", "--route", Route, "--stable", "stable", "--canary", "canary", "--schedule", "25/8s,50/8s,75/8s,100", "--min-samples", "200", "--warm-up", "2s");
        Assert.True(start.ExitCode == 0, start.ToString());
        Assert.Contains("push: 2/2 sidecars acknowledged", start.Output, StringComparison.Ordinal);
        var salt = Assert.Single((await SidecarControl.GetTableAsync(cluster, cluster.SidecarPods[0])).Table.Rollouts).Salt;
        var serve = cluster.AnalyzerPod.Container("canary-analyzer");
        await using (var load = new TrafficLoad(cluster.Envoys, Route, 80, requestsPerSecond: 150, users: 5000, seed: 11))
        {
            // The signal: serve's own log (kubectl logs) names the completion.
            await serve.WaitForOutputAsync($"{Route}: complete (", TimeSpan.FromMinutes(8));
        }

        _output.WriteLine("--- serve\n" + serve.Output + serve.Error);
        foreach (var step in new[] { "25% -> 50%", "50% -> 75%", "75% -> 100%" })
        {
            Assert.Matches($@"{Regex.Escape(Route)}: (promote|accelerate|complete) \({Regex.Escape(step)}\)", serve.Output);
        }

        foreach (var pod in cluster.SidecarPods)
        {
            var table = await SidecarControl.GetTableAsync(cluster, pod);
            var rollout = Assert.Single(table.Table.Rollouts);
            Assert.Equal(10_000, rollout.CanaryWeightBasisPoints);
            Assert.Equal(pod.Name, table.SidecarId);
        }

        await AssertStickyRoutingAsync(cluster, Route, 80, salt, weight: 10_000);
        var status = await cluster.AnalyzerAsync("status", "--rollout", Route);
        Assert.Matches(@"chat\.example\.com\s+complete", status.Output);
        var history = await cluster.AnalyzerAsync("history", "--rollout", Route);
        Assert.Contains("complete", history.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries)[0], StringComparison.Ordinal);
        await AssertTelemetryAsync(cluster, Route);
        await AssertCostRecordedAsync(cluster, Route);

        // A second rollout: a new, worse canary build is deployed and started; serve rolls it back.
        await cluster.ReplaceCanaryAsync(BadCanary("v2-bad"));
        var again = await cluster.AnalyzerAsync(
            "start", "--route", Route, "--stable", "stable", "--canary", "canary", "--skip-preflight", "--skipped-by", "e2e",
            "--schedule", "25/1h,50/1h,75/1h,100", "--min-samples", "200", "--warm-up", "2s");
        Assert.True(again.ExitCode == 0, again.ToString());
        var secondSalt = Assert.Single((await SidecarControl.GetTableAsync(cluster, cluster.SidecarPods[1])).Table.Rollouts).Salt;
        await using (var load = new TrafficLoad(cluster.Envoys, Route, 80, requestsPerSecond: 150, users: 5000, seed: 12))
        {
            await serve.WaitForOutputAsync($"{Route}: rollback (25% -> 0%)", TimeSpan.FromMinutes(8));
        }

        foreach (var pod in cluster.SidecarPods)
        {
            Assert.Equal(Canary.Contracts.V1.RolloutState.RolledBack, Assert.Single((await SidecarControl.GetTableAsync(cluster, pod)).Table.Rollouts).State);
        }

        await AssertStickyRoutingAsync(cluster, Route, 80, secondSalt, weight: 0, rolledBack: true);
        var rolledBack = await cluster.AnalyzerAsync("status", "--rollout", Route);
        Assert.Matches(@"chat\.example\.com\s+rolled.?back", rolledBack.Output);
        AssertEverySelectorListed(cluster);
    }

    /// <summary>
    /// A canary worse than stable on every guard: errors (8 % against 5 %), p95 latency (×1.6) and refusals (15 % against
    /// 5 %). Its error rate stays far below the sidecars' tripwire (20 % of the last 200), so the analyzer, not the
    /// tripwire, is what rolls it back.
    /// </summary>
    private static ModelBehavior BadCanary(string model) => new() { Model = model, ErrorRate = 0.08, LatencyFactor = 1.6, RefusalRate = 0.15 };

    /// <summary>
    /// Every label selector the chart renders for the analyzer (Canary__Discovery__LabelSelectors__N) was listed by the
    /// analyzer's own service account, and the API stand-in allowed it under the rendered Role.
    /// </summary>
    /// <summary>The default route (no subset header) of the VirtualService of <paramref name="host"/>, as the API holds it.</summary>
    private static void AssertMeshWeights(ChartCluster cluster, string host, int stable, int canary)
    {
        var routes = cluster.Api.VirtualServiceFor(host)["spec"]!["http"]!.AsArray();
        var fallback = routes.Single(r => r!["match"] is null)!["route"]!.AsArray();
        var weights = fallback.ToDictionary(d => (string)d!["destination"]!["subset"]!, d => (int?)d!["weight"] ?? 0, StringComparer.Ordinal);
        Assert.Equal(stable, weights["stable"]);
        Assert.Equal(canary, weights["canary"]);
    }

    private static void AssertEverySelectorListed(ChartCluster cluster)
    {
        var analyzer = cluster.Chart.OfKind("CronJob").Select(c => c["spec"]!["jobTemplate"]!["spec"]!["template"]!)
            .Concat(cluster.Chart.OfKind("Deployment").Where(d => ((string?)d["metadata"]!["name"])!.EndsWith("-analyzer", StringComparison.Ordinal)).Select(d => d["spec"]!["template"]!))
            .Single();
        var selectors = analyzer["spec"]!["containers"]![0]!["env"]!.AsArray()
            .Where(e => ((string?)e!["name"])!.StartsWith("Canary__Discovery__LabelSelectors__", StringComparison.Ordinal))
            .Select(e => (string)e!["value"]!)
            .ToList();
        Assert.NotEmpty(selectors);
        var account = $"{cluster.Namespace}/{(string?)analyzer["spec"]!["serviceAccountName"]}";
        foreach (var selector in selectors)
        {
            var query = "labelSelector=" + Uri.EscapeDataString(selector);
            Assert.True(
                cluster.Api.Requests.Any(r => r.ServiceAccount == account && r.Status == 200 && r.PathAndQuery.Contains(query, StringComparison.Ordinal)),
                $"{selector} never listed by {account}: {string.Join("; ", cluster.Api.Requests)}");
        }
    }

    /// <summary>With the chart's prices, every sidecar recorded the cost of both arms' requests.</summary>
    private static async Task AssertCostRecordedAsync(ChartCluster cluster, string rollout)
    {
        await using var command = cluster.Database.CreateCommand(
            "SELECT count(DISTINCT sidecar_id), count(DISTINCT subset), coalesce(sum(count), 0)::bigint FROM interval_histograms WHERE rollout = $1 AND metric = 'cost_micro_usd'");
        command.Parameters.AddWithValue(rollout);
        await using var reader = await command.ExecuteReaderAsync();
        Assert.True(await reader.ReadAsync());
        Assert.Equal(cluster.SidecarPods.Count, reader.GetInt64(0));
        Assert.Equal(2, reader.GetInt64(1));
        Assert.True(reader.GetInt64(2) > 0);
    }

    /// <summary>Both arms' requests are in PostgreSQL, written by every sidecar under its pod name.</summary>
    private static async Task AssertTelemetryAsync(ChartCluster cluster, string rollout)
    {
        await using var command = cluster.Database.CreateCommand(
            "SELECT sidecar_id, subset, sum(value)::bigint FROM interval_counters WHERE rollout = $1 AND counter = 'requests' GROUP BY sidecar_id, subset");
        command.Parameters.AddWithValue(rollout);
        var rows = new List<(string Sidecar, string Subset, long Requests)>();
        await using (var reader = await command.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                rows.Add((reader.GetString(0), reader.GetString(1), reader.GetInt64(2)));
            }
        }

        foreach (var pod in cluster.SidecarPods)
        {
            foreach (var subset in new[] { "stable", "canary" })
            {
                Assert.True(rows.Any(r => r.Sidecar == pod.Name && r.Subset == subset && r.Requests > 0), $"no {subset} requests from {pod.Name}: {string.Join("; ", rows)}");
            }
        }
    }

    /// <summary>
    /// Sends 200 users through every proxy and checks each lands where its sticky bucket says (bucket =
    /// XxHash3-64(salt ‖ user key) mod 10 000, canary below the weight): the same subset from every proxy and sidecar.
    /// </summary>
    private static async Task AssertStickyRoutingAsync(ChartCluster cluster, string authority, int port, string salt, int weight, bool rolledBack = false)
    {
        var checks = new List<Task>();
        for (var user = 0; user < 200; user++)
        {
            var name = TrafficLoad.User(user);
            var expected = !rolledBack && StickyBucket.Compute(Encoding.UTF8.GetBytes(salt), Encoding.UTF8.GetBytes(name)) < weight ? "canary" : "stable";
            foreach (var envoy in cluster.Envoys)
            {
                checks.Add(CheckAsync(envoy, name, expected));
            }
        }

        await Task.WhenAll(checks);

        async Task CheckAsync(EnvoyStandIn envoy, string user, string expected)
        {
            var response = await envoy.SendAsync(ChatRequest.Headers(authority, user, clientSubset: null), port);
            Assert.True(response.ProcessorAnswered, $"{user}: the sidecar did not answer");
            Assert.Equal(expected, response.SubsetHeaderAtRouter);
            if (response.RoutedSubset is not null)
            {
                Assert.Equal(expected, response.RoutedSubset);
            }
        }
    }
}
