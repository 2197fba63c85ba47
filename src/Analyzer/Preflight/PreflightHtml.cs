using System.Globalization;
using System.Text;
using Canary.Analyzer.Reports;

namespace Canary.Analyzer.Preflight;

/// <summary>
/// The preflight as HTML in the rollout report's look: <see cref="WriteSection"/> is the "Stage 1" section a rollout
/// report puts first, <see cref="Render"/> a self-contained page around the same section. Both render a
/// <see cref="StoredPreflight"/>, so a fresh run and a stored record look alike. Everything is escaped.
/// </summary>
internal static class PreflightHtml
{
    /// <summary>The section's own classes; the rollout report's style includes them.</summary>
    internal const string SectionStyle = """
        .verdict-pass,.gate-pass{color:#15803d;font-weight:600}.verdict-fail,.gate-fail{color:#b91c1c;font-weight:600}
        .verdict-incomplete,.verdict-skipped,.verdict-unknown,.gate-skip{color:#a16207;font-weight:600}
        """;

    private const string Style = """
        body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1f2328;margin:24px auto;max-width:1240px;padding:0 16px}
        h1{font-size:24px;margin:0 0 4px}h2{font-size:18px;margin:28px 0 8px;border-bottom:1px solid #d0d7de;padding-bottom:4px}
        .meta{color:#57606a}.status{display:inline-block;padding:1px 8px;border-radius:10px;background:#eef2ff;color:#3730a3;font-weight:600}
        table{border-collapse:collapse;width:100%;margin-top:8px}th,td{border:1px solid #d0d7de;padding:4px 8px;text-align:left;vertical-align:top}
        th{background:#f6f8fa}td.num{text-align:right;font-variant-numeric:tabular-nums}
        """ + SectionStyle;

    public static string Render(PreflightReport report)
    {
        var html = new StringBuilder(32 * 1024);
        html.Append("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">");
        html.Append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">");
        html.Append(CultureInfo.InvariantCulture, $"<title>Canary preflight: {Html.Escape(report.Rollout)}</title><style>{Style}</style></head><body>");
        html.Append(CultureInfo.InvariantCulture, $"<h1 id=\"rollout\">{Html.Escape(report.Rollout)}</h1>");
        WriteSection(html, StoredPreflight.From(report), testers: null);
        html.Append("</body></html>");
        return html.ToString();
    }

    /// <summary>
    /// The stage-1 section: the record (or a note that there is none), then, when given, one line on what the internal
    /// testers saw of the canary.
    /// </summary>
    public static void WriteSection(StringBuilder html, StoredPreflight? preflight, TesterTraffic? testers)
    {
        if (preflight is null)
        {
            html.Append("<section id=\"preflight\"><h2>Stage 1: no preflight recorded</h2>");
            html.Append("<p class=\"meta\" id=\"preflight-none\">No stage-1 record for this rollout's versions: <code>canary-analyzer preflight</code> stores one, <code>start --skip-preflight</code> records a skip.</p>");
            Testers(html, testers);
            html.Append("</section>");
            return;
        }

        var verdict = preflight.Verdict is "pass" or "fail" or "incomplete" or PreflightStore.SkippedVerdict ? preflight.Verdict : "unknown";
        var verdictSpan = $"<span class=\"status verdict-{verdict}\" id=\"preflight-verdict\">{Html.Escape(preflight.Verdict)}</span>";
        var versions = $"stable <b>{Html.Escape(preflight.StableSubset)}</b> against canary <b>{Html.Escape(preflight.CanarySubset)}</b>";
        if (preflight.Skipped)
        {
            html.Append("<section id=\"preflight\"><h2>Stage 1: preflight skipped</h2>");
            html.Append(CultureInfo.InvariantCulture, $"<p class=\"meta\">{versions}</p>");
            html.Append(CultureInfo.InvariantCulture, $"<p>verdict {verdictSpan} skipped by <b>{Html.Escape(preflight.SkippedBy ?? "(unknown)")}</b> at {Time(preflight.FinishedAt)} UTC: {Html.Escape(preflight.Reason)}</p>");
        }
        else
        {
            var cases = preflight.Stable?.Cases ?? preflight.Cases;
            var testSet = preflight.TestSet is null ? "" : $" from {Html.Escape(preflight.TestSet)}";
            var sha = preflight.TestSetSha256 is { Length: >= 12 } fingerprint ? $" [sha256 {Html.Escape(fingerprint[..12])}]" : "";
            html.Append("<section id=\"preflight\"><h2>Stage 1: preflight on the test set</h2>");
            html.Append(CultureInfo.InvariantCulture, $"<p class=\"meta\">{versions} · {cases} case(s){testSet}{sha} · {Time(preflight.StartedAt)} to {Time(preflight.FinishedAt)} UTC</p>");
            html.Append(CultureInfo.InvariantCulture, $"<p>verdict {verdictSpan} {Html.Escape(preflight.Reason)}</p>");
        }

        if (preflight.Unreadable is { } why)
        {
            html.Append(CultureInfo.InvariantCulture, $"<p class=\"meta\" id=\"preflight-unreadable\">The record's details could not be read ({Html.Escape(why)}); the verdict and reason above are its own columns.</p>");
        }

        if (preflight is { Stable: { } stable, Canary: { } canary })
        {
            Summary(html, stable, canary);
            Gates(html, preflight.Gates);
            Failures(html, preflight.Failures);
        }

        if (preflight.Calibration is { } calibration)
        {
            Calibration(html, calibration);
        }

        Testers(html, testers);
        html.Append("</section>");
    }

    private static void Summary(StringBuilder html, StoredVersionSummary stable, StoredVersionSummary canary)
    {
        html.Append("<table id=\"preflight-summary\"><thead><tr><th></th><th>stable</th><th>canary</th></tr></thead><tbody>");
        Row(html, "answered", OutOf(stable.Answered, stable.Cases), OutOf(canary.Answered, canary.Cases));
        Row(html, "cases passed", Percent(stable.PassRate), Percent(canary.PassRate));
        Row(html, "expectations failed", OutOf(stable.ExpectationsFailed, stable.ExpectationsChecked), OutOf(canary.ExpectationsFailed, canary.ExpectationsChecked));
        Row(html, "refusal rate", Percent(stable.RefusalRate), Percent(canary.RefusalRate));
        Row(html, "latency p50", Ms(stable.LatencyP50Ms), Ms(canary.LatencyP50Ms));
        Row(html, "latency p95", Ms(stable.LatencyP95Ms), Ms(canary.LatencyP95Ms));
        Row(html, "attempts", Count(stable.Attempts), Count(canary.Attempts));
        Row(html, "retry wait", Ms(stable.RetryWaitMs), Ms(canary.RetryWaitMs));
        Row(html, "cost per request", Cost(stable.MeanCostUsd), Cost(canary.MeanCostUsd));
        html.Append("</tbody></table>");
    }

    private static void Gates(StringBuilder html, IReadOnlyList<GateResult> gates)
    {
        html.Append("<table id=\"preflight-gates\"><thead><tr><th>gate</th><th>result</th><th>detail</th></tr></thead><tbody>");
        foreach (var gate in gates)
        {
            var status = PreflightText.StatusName(gate.Status).ToLowerInvariant();
            html.Append(CultureInfo.InvariantCulture, $"<tr><td>{Html.Escape(gate.Name)}</td><td class=\"gate-{status}\">{status}</td><td>{Html.Escape(gate.Detail)}</td></tr>");
        }

        html.Append("</tbody></table>");
    }

    private static void Failures(StringBuilder html, IReadOnlyList<StoredFailure> failures)
    {
        html.Append("<table id=\"preflight-failures\"><thead><tr><th>version</th><th>case</th><th>line</th><th>failure</th></tr></thead><tbody>");
        foreach (var failure in failures)
        {
            var id = Html.Escape(failure.CaseId + (failure.MustPass ? " (must-pass)" : ""));
            var line = failure.Line is { } number ? number.ToString(CultureInfo.InvariantCulture) : "-";
            html.Append(CultureInfo.InvariantCulture, $"<tr><td>{Html.Escape(failure.Version)}</td><td>{id}</td><td class=\"num\">{line}</td><td>{Html.Escape(failure.Text)}</td></tr>");
        }

        html.Append("</tbody></table>");
    }

    private static void Calibration(StringBuilder html, JudgeCalibration calibration)
    {
        var rate = calibration.AgreementRate is { } r ? $" ({PreflightEvaluator.Percent(r)})" : "";
        html.Append(CultureInfo.InvariantCulture,
            $"<p id=\"preflight-calibration\">Judge calibration ({Html.Escape(calibration.JudgeModel)}): <b>{calibration.Agreed} of {calibration.Total}</b> answer(s) agreed{rate} with the test set's expectations; {calibration.Unjudged} without a verdict{(calibration.LastProblem is { } p && calibration.Unjudged > 0 ? $" (last: {Html.Escape(p)})" : "")}; cost {Html.Escape(PreflightEvaluator.Dollars((double)calibration.CostUsd))}.</p>");
        html.Append("<table id=\"preflight-calibration-disagreements\"><thead><tr><th>version</th><th>case</th><th>line</th><th>expectations</th><th>judge</th><th>score</th><th>judge's reason</th></tr></thead><tbody>");
        foreach (var d in calibration.Disagreements)
        {
            var line = d.Line is { } number ? number.ToString(CultureInfo.InvariantCulture) : "-";
            html.Append(CultureInfo.InvariantCulture,
                $"<tr><td>{Html.Escape(d.Version)}</td><td>{Html.Escape(d.CaseId)}</td><td class=\"num\">{line}</td><td>{(d.ExpectedPass ? "pass" : "fail")}</td><td>{(d.JudgePass ? "pass" : "fail")}</td><td class=\"num\">{d.JudgeScore}</td><td>{Html.Escape(d.Reason)}</td></tr>");
        }

        html.Append("</tbody></table>");
    }

    private static void Testers(StringBuilder html, TesterTraffic? testers)
    {
        if (testers is not null)
        {
            html.Append(CultureInfo.InvariantCulture, $"<p class=\"meta\" id=\"preflight-testers\">{Html.Escape(testers.Describe())}</p>");
        }
    }

    private static void Row(StringBuilder html, string label, string stable, string canary) =>
        html.Append(CultureInfo.InvariantCulture, $"<tr><th>{label}</th><td class=\"num\">{Html.Escape(stable)}</td><td class=\"num\">{Html.Escape(canary)}</td></tr>");

    private static string OutOf(int? part, int? whole) =>
        part is null && whole is null ? "-" : $"{Number(part)}/{Number(whole)}";

    private static string Count(int? value) => value is { } v ? v.ToString(CultureInfo.InvariantCulture) : "-";

    private static string Number(int? value) => value is { } v ? v.ToString(CultureInfo.InvariantCulture) : "?";

    private static string Percent(double? value) => value is { } v ? PreflightEvaluator.Percent(v) : "-";

    private static string Ms(double? value) => value is { } v ? PreflightEvaluator.Ms(TimeSpan.FromMilliseconds(v)) : "-";

    private static string Cost(double? value) => value is { } v ? PreflightEvaluator.Dollars(v) : "-";

    private static string Time(DateTimeOffset time) => time.ToUniversalTime().ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture);
}
