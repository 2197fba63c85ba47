using System.Globalization;
using System.Text;
using Canary.Analyzer.Preflight;
using Canary.Analyzer.Rollouts;

namespace Canary.Analyzer.Reports;

/// <summary>
/// Renders one rollout as a single self-contained HTML page: inline CSS and inline SVG, no scripts and no external
/// assets, so it can be attached to a ticket or opened offline. Stage 1 (the preflight) comes first, then the live
/// stages' charts, timeline and decisions. Every caller-supplied string is HTML-escaped.
/// </summary>
internal static class ReportRenderer
{
    private const string Style = """
        body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1f2328;margin:24px auto;max-width:1240px;padding:0 16px}
        h1{font-size:24px;margin:0 0 4px}h3{font-size:15px;margin:20px 0 6px}h2{font-size:18px;margin:28px 0 8px;border-bottom:1px solid #d0d7de;padding-bottom:4px}
        .meta{color:#57606a}.status{display:inline-block;padding:1px 8px;border-radius:10px;background:#eef2ff;color:#3730a3;font-weight:600}
        .charts{display:flex;flex-wrap:wrap;gap:16px}.charts figure{margin:0}figcaption{font-weight:600;margin-bottom:4px}
        svg.chart{background:#fff;border:1px solid #d0d7de;border-radius:6px}svg .tick{font-size:11px;fill:#57606a}svg .axis{font-size:12px;fill:#1f2328}
        table{border-collapse:collapse;width:100%;margin-top:8px}th,td{border:1px solid #d0d7de;padding:4px 8px;text-align:left;vertical-align:top}
        th{background:#f6f8fa}td.num{text-align:right;font-variant-numeric:tabular-nums}
        .action-rollback{color:#b91c1c;font-weight:600}.action-promote,.action-complete,.action-accelerate{color:#15803d;font-weight:600}
        """ + PreflightHtml.SectionStyle;

    public static string Render(RolloutReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var (start, end) = TimeRange(report);
        var html = new StringBuilder(64 * 1024);
        html.Append("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">");
        html.Append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">");
        html.Append(CultureInfo.InvariantCulture, $"<title>Canary report: {Html.Escape(report.Rollout)}</title><style>{Style}</style></head><body>");
        html.Append(CultureInfo.InvariantCulture, $"<h1 id=\"rollout\">{Html.Escape(report.Rollout)}</h1>");
        html.Append(CultureInfo.InvariantCulture, $"<p class=\"meta\">stable <b>{Html.Escape(report.StableVersion)}</b> against canary <b>{Html.Escape(report.CanaryVersion)}</b> · status <span class=\"status\">{Html.Escape(report.Status)}</span> · generated {Time(report.GeneratedAt)}</p>");
        PreflightHtml.WriteSection(html, report.Preflight, report.Testers);
        OffComparisonTable(html, report.OffComparison);

        html.Append("<h2>Latency distributions (CDF)</h2><div class=\"charts\" id=\"latency\">");
        foreach (var distribution in report.Latencies)
        {
            html.Append(CultureInfo.InvariantCulture, $"<figure><figcaption>{Html.Escape(distribution.Metric)}</figcaption>");
            CdfChart.Write(html, distribution);
            html.Append("</figure>");
        }

        html.Append("</div><h2>Rates with confidence intervals</h2><div class=\"charts\" id=\"rates\">");
        foreach (var series in report.Rates)
        {
            html.Append(CultureInfo.InvariantCulture, $"<figure><figcaption>{Html.Escape(series.Metric)}</figcaption>");
            RateChart.Write(html, series, start, end);
            html.Append("</figure>");
        }

        html.Append("</div><h2>Stage timeline</h2><div class=\"charts\" id=\"timeline\"><figure><figcaption>canary weight by stage</figcaption>");
        TimelineChart.Write(html, report.Stages, start, end);
        html.Append("</figure></div>");
        StageTable(html, report.Stages);
        QualityHtml.WriteSection(html, report.Quality, start, end);
        DecisionTable(html, report.Decisions);
        html.Append("</body></html>");
        return html.ToString();
    }

    /// <summary>The requests kept out of the comparison, so a reader sees how much traffic the charts below leave out, and why.</summary>
    private static void OffComparisonTable(StringBuilder html, OffComparisonTraffic? offComparison)
    {
        if (offComparison is null)
        {
            return;
        }

        html.Append("<h2>Requests not part of the comparison</h2>");
        html.Append("<p class=\"meta\">Counted apart over the report's window: never in an arm's statistics, the charts below or the split check.</p>");
        html.Append("<table id=\"off-comparison\"><thead><tr><th>kind</th><th>telemetry subset</th><th>requests</th><th>errors</th></tr></thead><tbody>");
        foreach (var arm in offComparison.Arms)
        {
            html.Append(CultureInfo.InvariantCulture, $"<tr class=\"off-comparison\"><td>{Html.Escape(arm.Kind)}</td><td>{Html.Escape(arm.Subset)}</td><td class=\"num\">{arm.Requests}</td><td class=\"num\">{arm.Errors}</td></tr>");
        }

        html.Append("</tbody></table>");
    }

    private static void StageTable(StringBuilder html, IReadOnlyList<StageSpan> stages)
    {
        html.Append("<table id=\"stages\"><thead><tr><th>stage</th><th>canary weight</th><th>start (UTC)</th><th>end (UTC)</th><th>duration</th></tr></thead><tbody>");
        foreach (var stage in stages)
        {
            var duration = stage.End is { } stageEnd ? (stageEnd - stage.Start).ToString(@"d\.hh\:mm", CultureInfo.InvariantCulture) : "current";
            html.Append(CultureInfo.InvariantCulture, $"<tr><td>{Html.Escape(stage.Stage)}</td><td class=\"num\">{ChartFrame.Number(stage.WeightPercent)}%</td><td>{Time(stage.Start)}</td><td>{(stage.End is { } e ? Time(e) : "—")}</td><td>{duration}</td></tr>");
        }

        html.Append("</tbody></table>");
    }

    private static void DecisionTable(StringBuilder html, IReadOnlyList<DecisionEntry> decisions)
    {
        html.Append("<h2>Decisions</h2><table id=\"decisions\"><thead><tr><th>time (UTC)</th><th>action</th><th>canary weight</th><th>reason</th></tr></thead><tbody>");
        foreach (var decision in decisions)
        {
            var action = Html.Escape(decision.Action);
            html.Append(CultureInfo.InvariantCulture, $"<tr class=\"decision\"><td>{Time(decision.Time)}</td><td class=\"action-{action.ToLowerInvariant()}\">{action}</td><td class=\"num\">{ChartFrame.Number(decision.FromWeightPercent)}% → {ChartFrame.Number(decision.ToWeightPercent)}%</td><td>{Html.Escape(decision.Reason)}</td></tr>");
        }

        html.Append("</tbody></table>");
    }

    private static string Time(DateTimeOffset time) => time.ToUniversalTime().ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture);

    private static (DateTimeOffset Start, DateTimeOffset End) TimeRange(RolloutReport report)
    {
        var start = DateTimeOffset.MaxValue;
        var end = DateTimeOffset.MinValue;
        void Include(DateTimeOffset t)
        {
            start = t < start ? t : start;
            end = t > end ? t : end;
        }

        foreach (var stage in report.Stages)
        {
            Include(stage.Start);
            Include(stage.End ?? report.GeneratedAt);
        }

        foreach (var series in report.Rates)
        {
            foreach (var p in series.Stable)
            {
                Include(p.Time);
            }

            foreach (var p in series.Canary)
            {
                Include(p.Time);
            }
        }

        foreach (var decision in report.Decisions)
        {
            Include(decision.Time);
        }

        return start > end ? (report.GeneratedAt.AddHours(-1), report.GeneratedAt) : (start, end > start ? end : start.AddMinutes(1));
    }
}
