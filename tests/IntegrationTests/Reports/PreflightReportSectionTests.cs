using Canary.Analyzer.Cli;
using Canary.Analyzer.Preflight;
using Canary.Analyzer.Reports;
using Canary.Contracts.Telemetry;
using Canary.IntegrationTests.Postgres;
using Canary.IntegrationTests.Processes;

namespace Canary.IntegrationTests.Reports;

/// <summary>
/// <c>report --rollout</c> puts the rollout's stored stage-1 record first: a preflight read back from jsonb (verdict,
/// gates, the canary's failures) or an operator's skip, with the internal testers' traffic over the report's window.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class PreflightReportSectionTests : IDisposable
{
    private const string Rollout = "chat";
    private readonly string _directory = Directory.CreateTempSubdirectory("canary-preflight-report-").FullName;
    private readonly PostgresServerFixture _postgres;

    public PreflightReportSectionTests(PostgresServerFixture postgres) => _postgres = postgres;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [PostgresFact]
    public async Task Report_StoredPreflightForTheRolloutsVersions_SectionFirstWithVerdictGateAndCanaryFailure()
    {
        await using var dataSource = await _postgres.CreateDatabaseAsync();
        var passing = PreflightFor("v2", canaryFailure: "contains \"refund\": not found", new PreflightGates { PassRateMargin = 0.5 });
        await PreflightStore.InsertAsync(dataSource, passing, PreflightJson.Write(passing), CancellationToken.None);
        Assert.Equal(ExitCodes.Ok, await CliAsync(["start", "--route", Rollout, "--stable", "v1", "--canary", "v2", "--database", dataSource.ConnectionString]));
        // A newer record for other versions must not stand in for the one these versions passed.
        var other = PreflightFor("v9", canaryFailure: "other versions", new PreflightGates());
        await PreflightStore.InsertAsync(dataSource, other, PreflightJson.Write(other), CancellationToken.None);
        await TelemetrySeed.WriteAsync(dataSource, Rollout, OffComparisonArm.Testers("v2"), requests: 30, errors: 2, DateTime.UtcNow);

        var report = await ReportLoader.LoadAsync(dataSource, Rollout, DateTimeOffset.UtcNow, CancellationToken.None);
        var html = ReportRenderer.Render(report);
        var path = Path.Combine(_directory, "report.html");
        Assert.Equal(ExitCodes.Ok, await CliAsync(["report", "--rollout", Rollout, "-o", path, "--database", dataSource.ConnectionString]));
        var file = await File.ReadAllTextAsync(path);

        Assert.Equal("pass", report.Preflight!.Verdict);
        Assert.Equal("v2", report.Preflight.CanarySubset);
        Assert.Null(report.Preflight.Unreadable);
        Assert.Equal(4, report.Preflight.Canary!.Cases);
        Assert.Equal(30, report.Testers!.Requests);
        foreach (var page in new[] { html, file })
        {
            var section = page.IndexOf("<section id=\"preflight\"><h2>Stage 1: preflight on the test set</h2>", StringComparison.Ordinal);
            Assert.InRange(section, 0, page.IndexOf("<h2>", StringComparison.Ordinal));
            Assert.True(section < page.IndexOf("<h2>Latency distributions", StringComparison.Ordinal));
            Assert.Contains("id=\"preflight-verdict\">pass</span> every gate passed on 4 case(s)", page, StringComparison.Ordinal);
            Assert.Contains("<tr><td>pass-rate</td><td class=\"gate-pass\">pass</td>", page, StringComparison.Ordinal);
            Assert.Contains("<tr><td>canary</td><td>b</td><td class=\"num\">2</td><td>contains &quot;refund&quot;: not found</td></tr>", page, StringComparison.Ordinal);
            Assert.DoesNotContain("other versions", page, StringComparison.Ordinal);
            Assert.Contains("id=\"preflight-testers\">testers (v2:testers, ", page, StringComparison.Ordinal);
            Assert.Contains("30 request(s), 2 error(s)", page, StringComparison.Ordinal);
        }
    }

    [PostgresFact]
    public async Task Report_StartedWithSkipPreflight_SectionShowsWhoSkippedAndWhen()
    {
        await using var dataSource = await _postgres.CreateDatabaseAsync();
        Assert.Equal(ExitCodes.Ok, await CliAsync(["start", "--skip-preflight", "--skipped-by", "alice", "--route", Rollout, "--stable", "v1", "--canary", "v2", "--database", dataSource.ConnectionString]));

        var report = await ReportLoader.LoadAsync(dataSource, Rollout, DateTimeOffset.UtcNow, CancellationToken.None);
        var html = ReportRenderer.Render(report);

        Assert.Equal("skipped", report.Preflight!.Verdict);
        Assert.Null(report.Preflight.Unreadable);
        Assert.InRange(html.IndexOf("<section id=\"preflight\"><h2>Stage 1: preflight skipped</h2>", StringComparison.Ordinal), 0, html.IndexOf("<h2>Latency", StringComparison.Ordinal));
        Assert.Contains("id=\"preflight-verdict\">skipped</span> skipped by <b>alice</b> at ", html, StringComparison.Ordinal);
        Assert.Contains("UTC: preflight skipped with --skip-preflight by alice", html, StringComparison.Ordinal);
        Assert.Contains("testers (v2:testers, ", html, StringComparison.Ordinal);
        Assert.DoesNotContain("preflight-unreadable", html, StringComparison.Ordinal);
    }

    [PostgresFact]
    public async Task Report_StoredBodyUnreadable_ShowsTheRowsVerdictAndReason()
    {
        await using var dataSource = await _postgres.CreateDatabaseAsync();
        var passing = PreflightFor("v2", canaryFailure: "x", new PreflightGates { PassRateMargin = 0.5 });
        await PreflightStore.InsertAsync(dataSource, passing, "{\"gates\": 3}", CancellationToken.None);
        Assert.Equal(ExitCodes.Ok, await CliAsync(["start", "--route", Rollout, "--stable", "v1", "--canary", "v2", "--database", dataSource.ConnectionString]));

        var html = ReportRenderer.Render(await ReportLoader.LoadAsync(dataSource, Rollout, DateTimeOffset.UtcNow, CancellationToken.None));

        Assert.Contains("id=\"preflight-verdict\">pass</span> every gate passed on 4 case(s)", html, StringComparison.Ordinal);
        Assert.Contains("id=\"preflight-unreadable\"", html, StringComparison.Ordinal);
        Assert.Contains("<h2>Decisions</h2>", html, StringComparison.Ordinal);
    }

    /// <summary>Four answered cases; the canary fails one expectation on case "b" (line 2), which the gates may tolerate.</summary>
    private static PreflightReport PreflightFor(string canarySubset, string canaryFailure, PreflightGates gates)
    {
        var t0 = DateTimeOffset.UtcNow.AddMinutes(-10);
        TestCase[] cases = [Case("a", 1), Case("b", 2), Case("c", 3), Case("d", 4)];
        var stableEndpoint = Endpoint("v1");
        var canaryEndpoint = Endpoint(canarySubset);
        var stable = Array.ConvertAll(cases, c => PreflightRunner.Judge(c, stableEndpoint, Answer(100)));
        var canary = Array.ConvertAll(cases, c => PreflightRunner.Judge(c, canaryEndpoint, Answer(110)));
        canary[1] = canary[1] with { Failures = [canaryFailure] };
        return PreflightEvaluator.Evaluate(Rollout, "cases.jsonl", new string('b', 64), t0, t0.AddMinutes(1), stableEndpoint, canaryEndpoint, stable, canary, gates);
    }

    private static CallResult Answer(double latencyMs) => new()
    {
        Attempts = 1,
        Answer = new ModelAnswer { Text = "ok", InputTokens = 50, OutputTokens = 5, Latency = TimeSpan.FromMilliseconds(latencyMs) },
    };

    private static ModelEndpoint Endpoint(string subset) => new()
    {
        Arm = subset,
        Subset = subset,
        Protocol = ModelProtocol.OpenAi,
        Url = new Uri("http://127.0.0.1/v1/chat/completions"),
        Model = subset,
        InputPricePerMillion = 1,
        OutputPricePerMillion = 4,
    };

    private static TestCase Case(string id, int line) => new()
    {
        Id = id,
        LineNumber = line,
        Messages = [new ChatMessage("user", "q")],
        MaxTokens = 16,
        Expect = new CaseExpectations(),
    };

    private static async Task<int> CliAsync(string[] args)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var code = await AnalyzerCli.RunAsync(args, new CliOutput(stdout, stderr));
        Assert.True(code == ExitCodes.Ok, $"{string.Join(' ', args)}: exit {code}\n{stdout}\n{stderr}");
        return code;
    }
}
