using System.Globalization;
using System.Text.RegularExpressions;
using Canary.IntegrationTests.Postgres;
using Canary.IntegrationTests.Processes;
using Xunit.Abstractions;

namespace Canary.IntegrationTests.Dashboards;

/// <summary>
/// Every Prometheus expression of the chart's Grafana dashboard names only series that the sidecar's or the analyzer's
/// <c>/metrics</c> really exports: both run as processes (a sidecar with a rollout, telemetry and traffic; the analyzer's
/// <c>serve --metrics-port</c>), are scraped over real sockets, and the exported names are read from the scrapes.
/// The chart renders no PrometheusRule; the dashboard holds all of its Prometheus expressions.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed partial class PrometheusExpressionTests
{
    private readonly PostgresServerFixture _postgres;
    private readonly ITestOutputHelper _output;

    public PrometheusExpressionTests(PostgresServerFixture postgres, ITestOutputHelper output)
    {
        _postgres = postgres;
        _output = output;
    }

    [Theory]
    [InlineData("sum by (subset) (rate(canary_assignments_total{rollout=\"$rollout\"}[$__rate_interval]))", "canary_assignments_total")]
    [InlineData("time() - max(canary_analyzer_last_run_timestamp_seconds)", "canary_analyzer_last_run_timestamp_seconds")]
    [InlineData("a_total / on (x) group_left (y) b_total offset 5m > bool 0", "a_total,b_total")]
    [InlineData("histogram_quantile(0.9, sum without (pod) (rate(x_bucket{le!=\"1.5\", path=~\"a{b}\"}[5m:1m])))", "x_bucket")]
    [InlineData("min(canary_rollout_table_generation) or vector(0)", "canary_rollout_table_generation")]
    public void Names_Expression_SelectorNamesOnly(string expression, string expected)
    {
        Assert.Equal(expected.Split(','), PromQlSeries.Names(expression));
    }

    [PostgresFact]
    public async Task DashboardExpressions_ScrapedSidecarAndAnalyzer_NameOnlyExportedSeries()
    {
        await using var dataSource = await _postgres.CreateDatabaseAsync();
        var exported = new HashSet<string>(StringComparer.Ordinal);
        var directory = Directory.CreateTempSubdirectory("canary-metrics-");
        try
        {
            var token = Path.Combine(directory.FullName, "token");
            await File.WriteAllTextAsync(token, "metrics-test-token");
            var rollouts = Path.Combine(directory.FullName, "rollouts.json");
            await File.WriteAllTextAsync(rollouts,
                """{"generation": 1, "rollouts": [{"routeKey": "chat.example", "stableSubset": "stable", "canarySubset": "canary", "canaryWeightBasisPoints": 5000, "salt": "s", "state": "active"}]}""");
            await using (var sidecar = await SidecarProcess.StartAsync("metrics-sidecar", token, null,
                $"--Canary:Routing:RolloutsFile={rollouts}", $"--Canary:Database:ConnectionString={dataSource.ConnectionString}"))
            {
                for (var user = 0; user < 20; user++)
                {
                    await sidecar.RouteAsync("chat.example", $"user-{user}");
                }

                var scrape = await Eventually.UntilAsync(() => ScrapeAsync(sidecar.MetricsPort), s => s.Contains("canary_assignments_total{", StringComparison.Ordinal), "routing decisions in the sidecar's scrape");
                exported.UnionWith(SeriesNames(scrape));
            }

            var sidecarSeries = exported.Count;
            await using var serve = ChildProcess.Start(CanaryProgram.Analyzer,
                ["serve", "--interval", "00:00:00.500", "--metrics-port", "0", "--metrics-address", "127.0.0.1", "--database", dataSource.ConnectionString]);
            await serve.WaitForOutputAsync("/metrics");
            var port = int.Parse(MetricsPort().Match(serve.Output).Groups[1].Value, CultureInfo.InvariantCulture);
            var analyzerScrape = await Eventually.UntilAsync(() => ScrapeAsync(port), s => s.Contains("canary_analyzer_last_run_timestamp_seconds ", StringComparison.Ordinal), "a finished run in the analyzer's scrape");
            exported.UnionWith(SeriesNames(analyzerScrape));
            Assert.Equal(0, await serve.TerminateAsync(TimeSpan.FromSeconds(15)));
            Assert.True(sidecarSeries > 10 && exported.Count > sidecarSeries, $"{sidecarSeries} sidecar series, {exported.Count - sidecarSeries} more from the analyzer");
        }
        finally
        {
            directory.Delete(recursive: true);
        }

        var expressions = GrafanaDashboard.Load().Targets().Where(t => t.DataSource == "prometheus").ToList();
        Assert.NotEmpty(expressions);
        var missing = new List<string>();
        foreach (var (panel, refId, _, target) in expressions)
        {
            var expression = target.GetProperty("expr").GetString()!;
            var names = PromQlSeries.Names(expression);
            _output.WriteLine($"{panel} {refId}: {expression} -> {string.Join(", ", names)}");
            Assert.NotEmpty(names);
            missing.AddRange(names.Where(n => !exported.Contains(n)).Select(n => $"panel \"{panel}\" {refId}: {n}"));
        }

        Assert.True(missing.Count == 0, "series no binary exports:\n" + string.Join('\n', missing) + "\nexported: " + string.Join(' ', exported.Order()));
    }

    /// <summary>Names a scrape exports: each sample's name, and a histogram's _bucket, _sum and _count.</summary>
    private static IEnumerable<string> SeriesNames(string scrape)
    {
        foreach (var line in scrape.Split('\n'))
        {
            var type = TypeLine().Match(line);
            if (type.Success)
            {
                yield return type.Groups[1].Value;
                if (type.Groups[2].Value is "histogram" or "summary")
                {
                    yield return type.Groups[1].Value + "_sum";
                    yield return type.Groups[1].Value + "_count";
                    yield return type.Groups[1].Value + "_bucket";
                }

                continue;
            }

            var sample = SampleName().Match(line);
            if (sample.Success)
            {
                yield return sample.Value;
            }
        }
    }

    /// <summary>GET /metrics over HTTP/1.1, as Prometheus scrapes; the body.</summary>
    private static async Task<string> ScrapeAsync(int port)
    {
        using var client = new HttpClient();
        using var response = await client.GetAsync(new Uri($"http://127.0.0.1:{port}/metrics"));
        Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
        Assert.StartsWith("text/plain", response.Content.Headers.ContentType?.MediaType, StringComparison.Ordinal);
        return await response.Content.ReadAsStringAsync();
    }

    [GeneratedRegex(@"^# TYPE ([a-zA-Z_:][a-zA-Z0-9_:]*) (\w+)")]
    private static partial Regex TypeLine();

    [GeneratedRegex(@"^[a-zA-Z_:][a-zA-Z0-9_:]*(?=[{ ])")]
    private static partial Regex SampleName();

    [GeneratedRegex(@"metrics on http://127\.0\.0\.1:([0-9]+)/metrics")]
    private static partial Regex MetricsPort();
}
