using System.Globalization;
using System.Text;
using Canary.Analyzer.Reports;

namespace Canary.Analyzer.Preflight;

/// <summary>
/// The preflight as HTML in the rollout report's look: <see cref="WriteSection"/> is the "Stage 1: preflight" section
/// (a rollout report can put it first), <see cref="Render"/> a self-contained page around it. Everything is escaped.
/// </summary>
internal static class PreflightHtml
{
    private const string Style = """
        body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1f2328;margin:24px auto;max-width:1240px;padding:0 16px}
        h1{font-size:24px;margin:0 0 4px}h2{font-size:18px;margin:28px 0 8px;border-bottom:1px solid #d0d7de;padding-bottom:4px}
        .meta{color:#57606a}.status{display:inline-block;padding:1px 8px;border-radius:10px;background:#eef2ff;color:#3730a3;font-weight:600}
        table{border-collapse:collapse;width:100%;margin-top:8px}th,td{border:1px solid #d0d7de;padding:4px 8px;text-align:left;vertical-align:top}
        th{background:#f6f8fa}td.num{text-align:right;font-variant-numeric:tabular-nums}
        .verdict-pass,.gate-pass{color:#15803d;font-weight:600}.verdict-fail,.gate-fail{color:#b91c1c;font-weight:600}
        .verdict-incomplete,.gate-skip{color:#a16207;font-weight:600}
        """;

    public static string Render(PreflightReport report)
    {
        var html = new StringBuilder(32 * 1024);
        html.Append("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">");
        html.Append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">");
        html.Append(CultureInfo.InvariantCulture, $"<title>Canary preflight: {Html.Escape(report.Rollout)}</title><style>{Style}</style></head><body>");
        html.Append(CultureInfo.InvariantCulture, $"<h1 id=\"rollout\">{Html.Escape(report.Rollout)}</h1>");
        WriteSection(html, report);
        html.Append("</body></html>");
        return html.ToString();
    }

    public static void WriteSection(StringBuilder html, PreflightReport report)
    {
        var verdict = PreflightReport.VerdictName(report.Verdict);
        html.Append("<section id=\"preflight\"><h2>Stage 1: preflight on the test set</h2>");
        html.Append(CultureInfo.InvariantCulture, $"<p class=\"meta\">stable <b>{Html.Escape(report.Stable.Subset)}</b> against canary <b>{Html.Escape(report.Canary.Subset)}</b> · {report.Stable.Cases} case(s) from {Html.Escape(report.TestSet)} · {Time(report.StartedAt)} to {Time(report.FinishedAt)} UTC</p>");
        html.Append(CultureInfo.InvariantCulture, $"<p>verdict <span class=\"status verdict-{verdict}\" id=\"preflight-verdict\">{verdict}</span> {Html.Escape(report.Reason)}</p>");
        html.Append("<table id=\"preflight-summary\"><thead><tr><th></th><th>stable</th><th>canary</th></tr></thead><tbody>");
        Row(html, "answered", $"{report.Stable.Completed}/{report.Stable.Cases}", $"{report.Canary.Completed}/{report.Canary.Cases}");
        Row(html, "cases passed", PreflightEvaluator.Percent(report.Stable.PassRate), PreflightEvaluator.Percent(report.Canary.PassRate));
        Row(html, "expectations failed", $"{report.Stable.ExpectationsFailed}/{report.Stable.ExpectationsChecked}", $"{report.Canary.ExpectationsFailed}/{report.Canary.ExpectationsChecked}");
        Row(html, "refusal rate", PreflightEvaluator.Percent(report.Stable.RefusalRate), PreflightEvaluator.Percent(report.Canary.RefusalRate));
        Row(html, "latency p50", Ms(report.Stable.LatencyP50), Ms(report.Canary.LatencyP50));
        Row(html, "latency p95", Ms(report.Stable.LatencyP95), Ms(report.Canary.LatencyP95));
        Row(html, "cost per request", Cost(report.Stable.MeanCost), Cost(report.Canary.MeanCost));
        html.Append("</tbody></table>");
        html.Append("<table id=\"preflight-gates\"><thead><tr><th>gate</th><th>result</th><th>detail</th></tr></thead><tbody>");
        foreach (var gate in report.Gates)
        {
            var status = PreflightText.StatusName(gate.Status).ToLowerInvariant();
            html.Append(CultureInfo.InvariantCulture, $"<tr><td>{Html.Escape(gate.Name)}</td><td class=\"gate-{status}\">{status}</td><td>{Html.Escape(gate.Detail)}</td></tr>");
        }

        html.Append("</tbody></table>");
        html.Append("<table id=\"preflight-failures\"><thead><tr><th>version</th><th>case</th><th>line</th><th>failure</th></tr></thead><tbody>");
        Failures(html, "stable", report.StableResults);
        Failures(html, "canary", report.CanaryResults);
        html.Append("</tbody></table></section>");
    }

    private static void Failures(StringBuilder html, string arm, IReadOnlyList<CaseResult> results)
    {
        foreach (var result in results)
        {
            var id = Html.Escape(result.Case.Id + (result.Case.MustPass ? " (must-pass)" : ""));
            if (result.Call.Failure is { } kind)
            {
                html.Append(CultureInfo.InvariantCulture, $"<tr><td>{arm}</td><td>{id}</td><td class=\"num\">{result.Case.LineNumber}</td><td>no answer: {PreflightEvaluator.KindName(kind)} ({Html.Escape(result.Call.FailureMessage)})</td></tr>");
            }

            foreach (var failure in result.Failures)
            {
                html.Append(CultureInfo.InvariantCulture, $"<tr><td>{arm}</td><td>{id}</td><td class=\"num\">{result.Case.LineNumber}</td><td>{Html.Escape(failure)}</td></tr>");
            }
        }
    }

    private static void Row(StringBuilder html, string label, string stable, string canary) =>
        html.Append(CultureInfo.InvariantCulture, $"<tr><th>{label}</th><td class=\"num\">{Html.Escape(stable)}</td><td class=\"num\">{Html.Escape(canary)}</td></tr>");

    private static string Ms(TimeSpan? value) => value is { } v ? PreflightEvaluator.Ms(v) : "-";

    private static string Cost(double? value) => value is { } v ? PreflightEvaluator.Dollars(v) : "-";

    private static string Time(DateTimeOffset time) => time.ToUniversalTime().ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture);
}
