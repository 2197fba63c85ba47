using System.Runtime.Versioning;
using System.Text;
using Canary.Demo.FakeModels;
using Canary.EnvoyClient.ExtProc;
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
        }

        // Every discovery list the analyzer made named the chart's selector, as the analyzer's service account.
        Assert.Contains(cluster.Api.Requests, r => r.PathAndQuery.Contains("labelSelector=canary-routing%3Denabled", StringComparison.Ordinal) && r.Status == 200);

        for (var user = 0; user < 200; user++)
        {
            var expected = StickyBucket.Compute(Encoding.UTF8.GetBytes(salt!), Encoding.UTF8.GetBytes($"user-{user}")) < 500 ? "canary" : "stable";
            var response = await cluster.Envoys[user % 2].SendAsync(Request(Route, $"user-{user}", clientSubset: null), 80);
            Assert.True(response.ProcessorAnswered);
            Assert.Equal(expected, response.SubsetHeaderAtRouter);
            Assert.Equal(200, response.Status is 200 or 500 ? 200 : response.Status);
        }

        // A client that names a subset itself: with the sidecar up its header is overwritten; with it stopped, the
        // EnvoyFilter's header removal still keeps it from the router (failure_mode_allow lets the request through).
        var pinned = await cluster.Envoys[0].SendAsync(Request(Route, "user-1", clientSubset: "canary"), 80);
        Assert.Equal(StickyBucket.Compute(Encoding.UTF8.GetBytes(salt!), "user-1"u8) < 500 ? "canary" : "stable", pinned.SubsetHeaderAtRouter);
        await cluster.SidecarPods[0].StopContainerAsync("canary-sidecar");
        var unprocessed = await cluster.Envoys[0].SendAsync(Request(Route, "user-1", clientSubset: "canary"), 80);
        Assert.False(unprocessed.ProcessorAnswered);
        Assert.Null(unprocessed.SubsetHeaderAtRouter);
    }

    internal static (string Key, string Value)[] Request(string authority, string user, string? clientSubset)
    {
        var headers = EnvoyHeaders.RealisticRequest(authority, user).ToList();
        if (clientSubset is not null)
        {
            headers.Add(("x-canary-subset", clientSubset));
        }

        return [.. headers];
    }
}
