using System.Globalization;
using System.Text;

namespace Canary.Analyzer.Reports;

/// <summary>
/// The report's quality section (docs/quality.md): per arm the samples, how the judge scored them (a chart and a table),
/// the paired comparisons' results with the judge's order consistency and win rates over time, and the lowest-scored
/// answers with the judge's reasons. Requests and answers are shown as stored, already redacted by the sidecars, and
/// HTML-escaped like every other string.
/// </summary>
internal static class QualityHtml
{
    public static void WriteSection(StringBuilder html, QualityReport? quality, DateTimeOffset start, DateTimeOffset end)
    {
        if (quality is null)
        {
            return;
        }

        html.Append("<h2 id=\"quality\">Quality of sampled answers</h2>");
        html.Append("<div class=\"charts\"><figure><figcaption>judge score distribution</figcaption>");
        ScoreChart.Write(html, quality.Stable, quality.Canary);
        html.Append("</figure>");
        if (quality.WinRates is { } winRates)
        {
            html.Append("<figure><figcaption>paired prompts won, by version</figcaption>");
            RateChart.Write(html, winRates, start, end);
            html.Append("</figure>");
        }

        html.Append("</div>");
        ScoreTable(html, quality);
        PairTable(html, quality.Pairs);
        LowestTable(html, quality.Lowest);
    }

    private static void ScoreTable(StringBuilder html, QualityReport quality)
    {
        html.Append("<table id=\"quality-scores\"><thead><tr><th>arm</th><th>samples</th><th>judged</th><th>mean score</th><th>passed</th>");
        for (var score = 1; score <= 5; score++)
        {
            html.Append(CultureInfo.InvariantCulture, $"<th>score {score}</th>");
        }

        html.Append("<th>unparseable</th><th>judge failed</th><th>not judged yet</th></tr></thead><tbody>");
        foreach (var arm in (ReadOnlySpan<QualityArmScores>)[quality.Stable, quality.Canary])
        {
            var mean = arm.Judged > 0 ? arm.MeanScore.ToString("0.00", CultureInfo.InvariantCulture) : "—";
            html.Append(CultureInfo.InvariantCulture, $"<tr class=\"quality-arm\"><td>{Html.Escape(arm.Arm)}</td><td class=\"num\">{arm.Samples}</td><td class=\"num\">{arm.Judged}</td><td class=\"num\">{mean}</td><td class=\"num\">{Share(arm.Passed, arm.Judged)}</td>");
            foreach (var count in arm.ScoreCounts)
            {
                html.Append(CultureInfo.InvariantCulture, $"<td class=\"num\">{count}</td>");
            }

            html.Append(CultureInfo.InvariantCulture, $"<td class=\"num\">{arm.Unparseable}</td><td class=\"num\">{arm.JudgeFailed}</td><td class=\"num\">{arm.Unjudged}</td></tr>");
        }

        html.Append("</tbody></table>");
    }

    private static void PairTable(StringBuilder html, PairedSummary? pairs)
    {
        if (pairs is null)
        {
            return;
        }

        html.Append("<h3>Paired comparisons</h3>");
        html.Append("<p class=\"meta\">Each sampled prompt answered by both versions and compared by the judge in both orders; a verdict that changes with the order counts as a tie. Order consistency is the share of decided prompts whose two verdicts agreed.</p>");
        html.Append("<table id=\"quality-pairs\"><thead><tr><th>decided</th><th>canary won</th><th>tie</th><th>canary lost</th><th>order consistency</th><th>unparseable</th><th>other version failed</th><th>judge failed</th></tr></thead><tbody>");
        html.Append(CultureInfo.InvariantCulture, $"<tr><td class=\"num\">{pairs.Decided}</td><td class=\"num\">{pairs.Wins}</td><td class=\"num\">{pairs.Ties}</td><td class=\"num\">{pairs.Losses}</td><td class=\"num\">{Share(pairs.OrderConsistent, pairs.Decided)}</td><td class=\"num\">{pairs.Unparseable}</td><td class=\"num\">{pairs.OtherFailed}</td><td class=\"num\">{pairs.JudgeFailed}</td></tr>");
        html.Append("</tbody></table>");
    }

    private static void LowestTable(StringBuilder html, IReadOnlyList<LowScoredAnswer> lowest)
    {
        if (lowest.Count == 0)
        {
            return;
        }

        html.Append("<h3>Lowest-scored answers</h3>");
        html.Append(CultureInfo.InvariantCulture, $"<p class=\"meta\">Up to {QualityReportLoader.LowestCount}, lowest score first; request and answer as stored (redacted by the sidecars), cut to {QualityReportLoader.ExcerptChars} characters.</p>");
        html.Append("<table id=\"quality-lowest\"><thead><tr><th>sampled (UTC)</th><th>arm</th><th>score</th><th>judge's reason</th><th>request</th><th>answer</th></tr></thead><tbody>");
        foreach (var answer in lowest)
        {
            var verdict = answer.Passed ? "pass" : "fail";
            html.Append(CultureInfo.InvariantCulture, $"<tr class=\"lowest\"><td>{answer.SampledAt.ToUniversalTime():yyyy-MM-dd HH:mm}</td><td>{Html.Escape(answer.Arm)}</td><td class=\"num\">{answer.Score} ({verdict})</td><td>{Html.Escape(answer.Reason)}</td><td><code>{Html.Escape(answer.Request)}</code></td><td>{Html.Escape(answer.Answer)}</td></tr>");
        }

        html.Append("</tbody></table>");
    }

    private static string Share(long part, long whole) => whole > 0 ? (part / (double)whole).ToString("0.#%", CultureInfo.InvariantCulture) : "—";
}
