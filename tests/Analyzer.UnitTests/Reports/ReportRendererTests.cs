using Canary.Analyzer.Preflight;
using Canary.Analyzer.Reports;

namespace Canary.Analyzer.UnitTests.Reports;

public sealed class ReportRendererTests
{
    [Fact]
    public void Render_HostileText_IsEscapedEverywhere()
    {
        var sample = SampleReport.Create();
        var report = sample with
        {
            Rollout = "<script>alert(1)</script>",
            Stages = [new StageSpan("<img src=x onerror=alert(2)>", 5, sample.GeneratedAt.AddHours(-1), null)],
            Decisions = [new DecisionEntry(sample.GeneratedAt, "rollback\"><b>", 5, 0, "a & b < c")],
            Latencies = [new LatencyDistribution("ttft</figcaption><script>", "ms", [new CdfPoint(1, 1)], [])],
            Preflight = sample.Preflight! with { Failures = [new StoredFailure("canary", "<script>x</script>", true, 3, "<img src=y>")] },
        };

        var html = ReportRenderer.Render(report);

        Assert.DoesNotContain("<script>", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("<img", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("rollback\"><b>", html, StringComparison.Ordinal);
        Assert.Contains("rollback&quot;&gt;&lt;b&gt;", html, StringComparison.Ordinal);
        Assert.Contains("&lt;script&gt;alert(1)&lt;/script&gt;", html, StringComparison.Ordinal);
        Assert.Contains("a &amp; b &lt; c", html, StringComparison.Ordinal);
    }

    [Fact]
    public void Render_Sample_IsSelfContainedWithoutScriptsOrExternalAssets()
    {
        var html = ReportRenderer.Render(SampleReport.Create());

        Assert.StartsWith("<!DOCTYPE html>", html, StringComparison.Ordinal);
        Assert.DoesNotContain("src=", html, StringComparison.Ordinal);
        Assert.DoesNotContain("href=", html, StringComparison.Ordinal);
        Assert.DoesNotContain("<script", html, StringComparison.Ordinal);
        Assert.True(html.Length < 100_000, $"{html.Length} characters");
    }

    [Fact]
    public void Render_WithPreflight_StageOneSectionFirstAfterTheHeader()
    {
        var html = ReportRenderer.Render(SampleReport.Create());

        var header = html.IndexOf("<p class=\"meta\">stable <b>gpt-4.1</b>", StringComparison.Ordinal);
        var section = html.IndexOf("<section id=\"preflight\"><h2>Stage 1: preflight on the test set</h2>", StringComparison.Ordinal);
        Assert.InRange(header, 0, int.MaxValue);
        Assert.Equal(html.IndexOf("</p>", header, StringComparison.Ordinal) + "</p>".Length, section);
        Assert.True(section < html.IndexOf("<h2>Latency distributions", StringComparison.Ordinal));
        Assert.Contains("id=\"preflight-verdict\">pass<", html, StringComparison.Ordinal);
        Assert.Contains("<tr><td>canary</td><td>order-json</td><td class=\"num\">27</td>", html, StringComparison.Ordinal);
        Assert.Contains("id=\"preflight-testers\">testers (gpt-5-mini:testers, 2 h): 412 request(s)", html, StringComparison.Ordinal);
        Assert.Contains(".verdict-pass", html, StringComparison.Ordinal);
    }

    [Fact]
    public void Render_OffComparison_TableOfEveryArmAfterStageOneBeforeTheCharts()
    {
        var html = ReportRenderer.Render(SampleReport.Create());

        var section = html.IndexOf("<h2>Requests not part of the comparison</h2>", StringComparison.Ordinal);
        Assert.True(section > html.IndexOf("<section id=\"preflight\">", StringComparison.Ordinal));
        Assert.True(section < html.IndexOf("<h2>Latency distributions", StringComparison.Ordinal));
        Assert.Contains("<tr class=\"off-comparison\"><td>excluded</td><td>gpt-4.1:excluded</td><td class=\"num\">2180</td><td class=\"num\">19</td></tr>", html, StringComparison.Ordinal);
        Assert.Equal(7, html.Split("<tr class=\"off-comparison\">").Length - 1);
    }

    [Fact]
    public void Render_NoOffComparisonCounts_NoSection()
    {
        var html = ReportRenderer.Render(SampleReport.Create() with { OffComparison = null });

        Assert.DoesNotContain("off-comparison", html, StringComparison.Ordinal);
    }

    [Fact]
    public void Render_NoPreflight_ShortSectionSaysNoneRecorded()
    {
        var html = ReportRenderer.Render(SampleReport.Create() with { Preflight = null, Testers = null });

        Assert.Contains("<section id=\"preflight\"><h2>Stage 1: no preflight recorded</h2>", html, StringComparison.Ordinal);
        Assert.DoesNotContain("preflight-verdict", html, StringComparison.Ordinal);
        Assert.DoesNotContain("preflight-testers", html, StringComparison.Ordinal);
    }

    [Fact]
    public void Render_EmptyReport_StillRenders()
    {
        var report = SampleReport.Create() with { Latencies = [], Rates = [], Stages = [], Decisions = [] };

        var html = ReportRenderer.Render(report);

        Assert.Contains("<table id=\"decisions\">", html, StringComparison.Ordinal);
    }

    [Fact]
    public void Render_Quality_ScoresPairsAndLowestAnswersAfterTheStages()
    {
        var html = ReportRenderer.Render(SampleReport.Create());

        var section = html.IndexOf("<h2 id=\"quality\">Quality of sampled answers</h2>", StringComparison.Ordinal);
        Assert.True(section > html.IndexOf("<table id=\"stages\">", StringComparison.Ordinal));
        Assert.True(section < html.IndexOf("<h2>Decisions</h2>", StringComparison.Ordinal));
        // Stable: 200 judged, mean (4 + 12 + 60 + 240 + 550) / 200 = 4.33, 187 of 200 passed; 3 of the 204 not judged yet.
        Assert.Contains("<tr class=\"quality-arm\"><td>stable</td><td class=\"num\">204</td><td class=\"num\">200</td><td class=\"num\">4.33</td><td class=\"num\">93.5%</td>", html, StringComparison.Ordinal);
        Assert.Contains("<td class=\"num\">1</td><td class=\"num\">0</td><td class=\"num\">3</td></tr>", html, StringComparison.Ordinal);
        // 242 decided, 201 of them the same in both orders.
        Assert.Contains("<tr><td class=\"num\">242</td><td class=\"num\">61</td><td class=\"num\">88</td><td class=\"num\">93</td><td class=\"num\">83.1%</td>", html, StringComparison.Ordinal);
        Assert.Equal(3, html.Split("<tr class=\"lowest\">").Length - 1);
        Assert.Contains("<td class=\"num\">1 (fail)</td><td>Invents a refund policy the rubric says does not exist.</td>", html, StringComparison.Ordinal);
        Assert.Contains("paired prompts won, by version", html, StringComparison.Ordinal);
    }

    [Fact]
    public void Render_QualityWithoutPairs_NoPairTableNorWinRateChart()
    {
        var sample = SampleReport.Create();
        var html = ReportRenderer.Render(sample with { Quality = sample.Quality! with { Pairs = null, WinRates = null, Lowest = [] } });

        Assert.Contains("id=\"quality-scores\"", html, StringComparison.Ordinal);
        Assert.DoesNotContain("quality-pairs", html, StringComparison.Ordinal);
        Assert.DoesNotContain("paired prompts won", html, StringComparison.Ordinal);
        Assert.DoesNotContain("quality-lowest", html, StringComparison.Ordinal);
    }

    [Fact]
    public void Render_NoQualitySamples_NoSection()
    {
        var html = ReportRenderer.Render(SampleReport.Create() with { Quality = null });

        Assert.DoesNotContain("id=\"quality", html, StringComparison.Ordinal);
    }

    [Fact]
    public void Render_HostileSampledText_IsEscaped()
    {
        var sample = SampleReport.Create();
        var hostile = new LowScoredAnswer(sample.GeneratedAt, "canary", 1, false, "<script>alert(1)</script>", "<img src=x onerror=alert(2)>", "</td><script>alert(3)</script>");
        var html = ReportRenderer.Render(sample with { Quality = sample.Quality! with { Lowest = [hostile] } });

        Assert.DoesNotContain("<script>", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("<img", html, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("&lt;/td&gt;&lt;script&gt;alert(3)&lt;/script&gt;", html, StringComparison.Ordinal);
    }
}
