using System.Text;
using Canary.Analyzer.Preflight;

namespace Canary.Analyzer.UnitTests.Preflight;

public sealed class StoredPreflightTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 26, 9, 0, 0, TimeSpan.Zero);

    private static readonly StoredPreflight FailRow = new()
    {
        Rollout = "chat",
        StableSubset = "v1",
        CanarySubset = "v2",
        Verdict = "fail",
        Reason = "latency-p95: canary 900 ms vs stable 100 ms (ceiling 130 ms, +30%)",
        StartedAt = T0,
        FinishedAt = T0.AddMinutes(2),
        Cases = 4,
        TestSet = "set.jsonl",
        TestSetSha256 = new string('a', 64),
    };

    [Fact]
    public void Read_ReportJson_RoundTripsGatesFiguresAndFailures()
    {
        var report = Report();

        var stored = PreflightJson.Read(FailRow with { Verdict = "incomplete", Reason = report.Reason }, PreflightJson.Write(report));

        Assert.Null(stored.Unreadable);
        Assert.Equal(report.Gates, stored.Gates);
        Assert.Contains(stored.Gates, g => g is { Name: "cost", Status: GateStatus.Skipped });
        AssertSummary(report.Stable, stored.Stable!);
        AssertSummary(report.Canary, stored.Canary!);
        Assert.Null(stored.Canary!.MeanCostUsd);
        Assert.Equal(["a"], stored.Canary.MustPassFailed);
        Assert.Equal(
        [
            new StoredFailure("canary", "a", true, 1, "contains \"x\": not found"),
            new StoredFailure("canary", "c", false, 3, "no answer: unauthorized (401 Unauthorized)"),
        ],
        stored.Failures);
    }

    [Fact]
    public void Read_OlderRecordWithCaseListUnderCases_CountsAndListsTheCases()
    {
        // What jsonb kept of bodies written when the case list was a second "cases" member: the list, not the count.
        var json = PreflightJson.Write(Report())
            .Replace("\"cases\": 4,", "", StringComparison.Ordinal)
            .Replace("\"results\"", "\"cases\"", StringComparison.Ordinal);
        Assert.DoesNotContain("\"results\"", json, StringComparison.Ordinal);

        var stored = PreflightJson.Read(FailRow, json);

        Assert.Null(stored.Unreadable);
        Assert.Equal(4, stored.Canary!.Cases);
        Assert.Equal(2, stored.Failures.Count);
    }

    [Fact]
    public void WriteSection_HostileSkipper_Escaped()
    {
        var row = FailRow with { Verdict = "skipped", SkippedBy = "<script>x</script>", Reason = "skipped by <b>" };

        var html = Section(PreflightJson.Read(row, "{}"));

        Assert.DoesNotContain("<script>", html, StringComparison.Ordinal);
        Assert.Contains("skipped by <b>&lt;script&gt;x&lt;/script&gt;</b> at 2026-11-26 09:02:00 UTC: skipped by &lt;b&gt;", html, StringComparison.Ordinal);
    }

    [Fact]
    public void From_Report_SameAsTheStoredRow()
    {
        var report = Report();

        var stored = StoredPreflight.From(report);

        Assert.Equal("incomplete", stored.Verdict);
        Assert.Equal(report.Reason, stored.Reason);
        Assert.Equal("v1", stored.StableSubset);
        Assert.Equal("v2", stored.CanarySubset);
        Assert.Equal(4, stored.Cases);
        Assert.Equal(report.TestSetSha256, stored.TestSetSha256);
        Assert.Equal(2, stored.Failures.Count);
    }

    [Fact]
    public void Read_SkippedRecordWithEmptyBody_NoDetailsAndSectionNamesWhoAndWhen()
    {
        var row = FailRow with
        {
            Verdict = "skipped",
            Reason = "preflight skipped with --skip-preflight by alice (the newest preflight was fail at 2026-11-26 08:00:00Z)",
            SkippedBy = "alice",
            StartedAt = T0,
            FinishedAt = T0,
            Cases = 0,
            TestSet = null,
            TestSetSha256 = null,
        };

        var stored = PreflightJson.Read(row, "{}");
        var html = Section(stored);

        Assert.Null(stored.Unreadable);
        Assert.Null(stored.Stable);
        Assert.Empty(stored.Gates);
        Assert.Contains(
            "id=\"preflight-verdict\">skipped</span> skipped by <b>alice</b> at 2026-11-26 09:00:00 UTC: preflight skipped with --skip-preflight by alice (the newest preflight was fail",
            html,
            StringComparison.Ordinal);
        Assert.DoesNotContain("preflight-unreadable", html, StringComparison.Ordinal);
        Assert.DoesNotContain("preflight-gates", html, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("{\"gates\": [")]
    [InlineData("not json")]
    [InlineData("[1, 2]")]
    [InlineData("{}")]
    [InlineData("{\"rollout\": \"chat\"}")]
    [InlineData("{\"gates\": \"none\", \"stable\": {}, \"canary\": {}}")]
    [InlineData("{\"gates\": [{\"name\": \"cost\", \"status\": \"maybe\"}], \"stable\": {}, \"canary\": {}}")]
    [InlineData("{\"gates\": [{\"status\": \"pass\"}], \"stable\": {}, \"canary\": {}}")]
    [InlineData("{\"gates\": [], \"stable\": {\"pass_rate\": \"high\"}, \"canary\": {}}")]
    [InlineData("{\"gates\": [], \"stable\": {\"cases\": 1.5}, \"canary\": {}}")]
    [InlineData("{\"gates\": [], \"stable\": {}, \"canary\": {\"results\": [{\"id\": 7}]}}")]
    [InlineData("{\"gates\": [], \"stable\": {}, \"canary\": {\"results\": [\"a\"]}}")]
    [InlineData("{\"gates\": [], \"stable\": [], \"canary\": {}}")]
    public void Read_MalformedOrUnknownBody_KeepsVerdictAndReasonAndSaysDetailsUnreadable(string json)
    {
        var stored = PreflightJson.Read(FailRow, json);
        var html = Section(stored);

        Assert.False(string.IsNullOrEmpty(stored.Unreadable));
        Assert.Null(stored.Stable);
        Assert.Empty(stored.Gates);
        Assert.Empty(stored.Failures);
        Assert.Contains("id=\"preflight-verdict\">fail</span> latency-p95: canary 900 ms vs stable 100 ms", html, StringComparison.Ordinal);
        Assert.Contains("id=\"preflight-unreadable\">The record's details could not be read (", html, StringComparison.Ordinal);
        Assert.DoesNotContain("preflight-gates", html, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_NullFigures_ShownAsDashes()
    {
        const string json = """{"gates": [], "stable": {"answered": null, "latency_p95_ms": null}, "canary": {"latency_p95_ms": 12.4}}""";

        var stored = PreflightJson.Read(FailRow, json);
        var html = Section(stored);

        Assert.Null(stored.Unreadable);
        Assert.Null(stored.Stable!.LatencyP95Ms);
        Assert.Contains("<tr><th>latency p95</th><td class=\"num\">-</td><td class=\"num\">12 ms</td></tr>", html, StringComparison.Ordinal);
        Assert.Contains("<tr><th>answered</th><td class=\"num\">-</td><td class=\"num\">-</td></tr>", html, StringComparison.Ordinal);
    }

    [Fact]
    public void WriteSection_HostileCaseIdFailureAndReason_Escaped()
    {
        var report = Report(canaryId: "<script>alert(1)</script>", canaryFailure: "</td><img src=x onerror=alert(2)>") with { Reason = "a & b <i>" };

        var page = PreflightHtml.Render(report);
        var section = Section(StoredPreflight.From(report));

        foreach (var html in new[] { page, section })
        {
            Assert.DoesNotContain("<script>", html, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain("<img", html, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain("<i>", html, StringComparison.Ordinal);
            Assert.Contains("&lt;script&gt;alert(1)&lt;/script&gt; (must-pass)", html, StringComparison.Ordinal);
            Assert.Contains("&lt;/td&gt;&lt;img src=x onerror=alert(2)&gt;", html, StringComparison.Ordinal);
            Assert.Contains("a &amp; b &lt;i&gt;", html, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void WriteSection_UnknownVerdict_EscapedAndNotUsedAsAClassName()
    {
        var html = Section(FailRow with { Verdict = "x\" onmouseover=\"alert(1)" });

        Assert.Contains("class=\"status verdict-unknown\"", html, StringComparison.Ordinal);
        Assert.DoesNotContain("onmouseover=\"", html, StringComparison.Ordinal);
    }

    [Fact]
    public void WriteSection_NoRecord_SaysSoAndShowsTesters()
    {
        var html = new StringBuilder();

        PreflightHtml.WriteSection(html, null, new TesterTraffic("v2:testers", T0, T0.AddHours(2), 40, 1, 0, 2));

        Assert.StartsWith("<section id=\"preflight\"><h2>Stage 1: no preflight recorded</h2>", html.ToString(), StringComparison.Ordinal);
        Assert.Contains("id=\"preflight-testers\">testers (v2:testers, 2 h): 40 request(s), 1 error(s), 0 rate-limited, 2 refusal(s)", html.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Render_Report_PageKeepsTheSectionsIdsAndFigures()
    {
        var html = PreflightHtml.Render(Report());

        Assert.Contains("<h1 id=\"rollout\">chat</h1>", html, StringComparison.Ordinal);
        Assert.Contains("id=\"preflight-verdict\">incomplete<", html, StringComparison.Ordinal);
        Assert.Contains("stable <b>v1</b> against canary <b>v2</b> · 4 case(s) from set.jsonl [sha256 000000000000]", html, StringComparison.Ordinal);
        Assert.Contains("<table id=\"preflight-summary\">", html, StringComparison.Ordinal);
        Assert.Contains("<tr><th>answered</th><td class=\"num\">4/4</td><td class=\"num\">3/4</td></tr>", html, StringComparison.Ordinal);
        Assert.Contains("<tr><th>attempts</th><td class=\"num\">4</td><td class=\"num\">6</td></tr>", html, StringComparison.Ordinal);
        Assert.Contains("<tr><th>retry wait</th><td class=\"num\">0 ms</td><td class=\"num\">1500 ms</td></tr>", html, StringComparison.Ordinal);
        Assert.Contains("<tr><td>cost</td><td class=\"gate-skip\">skip</td>", html, StringComparison.Ordinal);
        Assert.Contains("<tr><td>canary</td><td>c</td><td class=\"num\">3</td><td>no answer: unauthorized (401 Unauthorized)</td></tr>", html, StringComparison.Ordinal);
        Assert.DoesNotContain("preflight-testers", html, StringComparison.Ordinal);
    }

    private static string Section(StoredPreflight preflight)
    {
        var html = new StringBuilder();
        PreflightHtml.WriteSection(html, preflight, testers: null);
        return html.ToString();
    }

    private static void AssertSummary(VersionSummary expected, StoredVersionSummary actual)
    {
        Assert.Equal(expected.Subset, actual.Subset);
        Assert.Equal(expected.Cases, actual.Cases);
        Assert.Equal(expected.Completed, actual.Answered);
        Assert.Equal(expected.Passed, actual.Passed);
        Assert.Equal(expected.PassRate, actual.PassRate);
        Assert.Equal(expected.ExpectationsChecked, actual.ExpectationsChecked);
        Assert.Equal(expected.ExpectationsFailed, actual.ExpectationsFailed);
        Assert.Equal(expected.RefusalRate, actual.RefusalRate);
        Assert.Equal(expected.Attempts, actual.Attempts);
        Assert.Equal(expected.RetryWait.TotalMilliseconds, actual.RetryWaitMs);
        Assert.Equal(expected.LatencyP50?.TotalMilliseconds, actual.LatencyP50Ms);
        Assert.Equal(expected.LatencyP95?.TotalMilliseconds, actual.LatencyP95Ms);
        Assert.Equal(expected.MeanCost, actual.MeanCostUsd);
        Assert.Equal(expected.MustPassFailed, actual.MustPassFailed);
    }

    /// <summary>
    /// Four cases; stable answers all (priced), the canary (unpriced) fails an expectation on must-pass case "a" and gets
    /// no answer on "c", so the verdict is incomplete and the cost gate is skipped; "b" answered on the canary's third
    /// attempt after 1.5 s of waiting.
    /// </summary>
    private static PreflightReport Report(string canaryId = "a", string canaryFailure = "contains \"x\": not found")
    {
        TestCase[] cases = [Case("a", 1, mustPass: true), Case("b", 2), Case("c", 3), Case("d", 4)];
        var stable = cases.Select(c => PreflightRunner.Judge(c, Endpoint("v1", priced: true), Answer(100 + c.LineNumber))).ToArray();
        var canary = cases.Select(c => PreflightRunner.Judge(c, Endpoint("v2", priced: false), Answer(120 + c.LineNumber))).ToArray();
        canary[0] = canary[0] with { Case = canary[0].Case with { Id = canaryId }, Failures = [canaryFailure] };
        canary[1] = canary[1] with { Call = canary[1].Call with { Attempts = 3, RetryWait = TimeSpan.FromMilliseconds(1500) } };
        canary[2] = PreflightRunner.Judge(cases[2], Endpoint("v2", priced: false), CallResult.Failed(CallFailureKind.Unauthorized, "401 Unauthorized", 1));
        return PreflightEvaluator.Evaluate(
            "chat", "set.jsonl", new string('0', 64), T0, T0.AddMinutes(2), Endpoint("v1", true), Endpoint("v2", false), stable, canary, new PreflightGates());
    }

    private static CallResult Answer(double latencyMs) => new()
    {
        Attempts = 1,
        Answer = new ModelAnswer { Text = "ok", InputTokens = 100, OutputTokens = 10, Latency = TimeSpan.FromMilliseconds(latencyMs) },
    };

    private static ModelEndpoint Endpoint(string subset, bool priced) => new()
    {
        Arm = subset,
        Subset = subset,
        Protocol = ModelProtocol.OpenAi,
        Url = new Uri("http://127.0.0.1/v1/chat/completions"),
        Model = "m",
        InputPricePerMillion = priced ? 1 : null,
        OutputPricePerMillion = priced ? 10 : null,
    };

    private static TestCase Case(string id, int line, bool mustPass = false) => new()
    {
        Id = id,
        LineNumber = line,
        Messages = [new ChatMessage("user", "q")],
        MaxTokens = 16,
        MustPass = mustPass,
        Expect = new CaseExpectations(),
    };
}
