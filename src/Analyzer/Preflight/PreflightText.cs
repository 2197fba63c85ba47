using System.Globalization;
using System.Text;

namespace Canary.Analyzer.Preflight;

/// <summary>The console form of a preflight report: side-by-side figures, gates, every failure, then the verdict.</summary>
internal static class PreflightText
{
    public static string Render(PreflightReport report)
    {
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"preflight {report.Rollout}: {report.Stable.Subset} (stable) vs {report.Canary.Subset} (canary), {report.Stable.Cases} case(s) from {report.TestSet} [sha256 {report.TestSetSha256[..12]}]\n\n");
        text.Append(CultureInfo.InvariantCulture, $"{"",-24}{"STABLE",-18}{"CANARY",-18}\n");
        Row(text, "answered", $"{report.Stable.Completed}/{report.Stable.Cases}", $"{report.Canary.Completed}/{report.Canary.Cases}");
        Row(text, "cases passed", $"{report.Stable.Passed} ({PreflightEvaluator.Percent(report.Stable.PassRate)})", $"{report.Canary.Passed} ({PreflightEvaluator.Percent(report.Canary.PassRate)})");
        Row(text, "expectations failed", $"{report.Stable.ExpectationsFailed}/{report.Stable.ExpectationsChecked}", $"{report.Canary.ExpectationsFailed}/{report.Canary.ExpectationsChecked}");
        Row(text, "must-pass failed", report.Stable.MustPassFailed.Count.ToString(CultureInfo.InvariantCulture), report.Canary.MustPassFailed.Count.ToString(CultureInfo.InvariantCulture));
        Row(text, "refusal rate", PreflightEvaluator.Percent(report.Stable.RefusalRate), PreflightEvaluator.Percent(report.Canary.RefusalRate));
        Row(text, "latency p50", Ms(report.Stable.LatencyP50), Ms(report.Canary.LatencyP50));
        Row(text, "latency p95", Ms(report.Stable.LatencyP95), Ms(report.Canary.LatencyP95));
        Row(text, "attempts", Count(report.Stable.Attempts), Count(report.Canary.Attempts));
        Row(text, "retry wait", PreflightEvaluator.Ms(report.Stable.RetryWait), PreflightEvaluator.Ms(report.Canary.RetryWait));
        Row(text, "input tokens/request", Number(report.Stable.MeanInputTokens), Number(report.Canary.MeanInputTokens));
        Row(text, "output tokens/request", Number(report.Stable.MeanOutputTokens), Number(report.Canary.MeanOutputTokens));
        Row(text, "cost/request", report.Stable.MeanCost is { } sc ? PreflightEvaluator.Dollars(sc) : "-", report.Canary.MeanCost is { } cc ? PreflightEvaluator.Dollars(cc) : "-");
        text.Append("\ngates:\n");
        foreach (var gate in report.Gates)
        {
            text.Append(CultureInfo.InvariantCulture, $"  {StatusName(gate.Status),-5} {gate.Name,-13} {gate.Detail}\n");
        }

        Failures(text, "stable", report.StableResults);
        Failures(text, "canary", report.CanaryResults);
        if (report.Calibration is { } calibration)
        {
            Calibration(text, calibration);
        }

        text.Append(CultureInfo.InvariantCulture, $"\nverdict: {PreflightReport.VerdictName(report.Verdict).ToUpperInvariant()}: {report.Reason}\n");
        return text.ToString();
    }

    private static void Failures(StringBuilder text, string arm, IReadOnlyList<CaseResult> results)
    {
        var header = false;
        foreach (var result in results)
        {
            if (result.Passed)
            {
                continue;
            }

            if (!header)
            {
                text.Append(CultureInfo.InvariantCulture, $"\n{arm} failures:\n");
                header = true;
            }

            var id = result.Case.Id + (result.Case.MustPass ? " (must-pass)" : "");
            if (result.Call.Failure is { } kind)
            {
                text.Append(CultureInfo.InvariantCulture, $"  {id} [line {result.Case.LineNumber}]: no answer, {PreflightEvaluator.KindName(kind)} after {result.Call.Attempts} attempt(s): {result.Call.FailureMessage}\n");
                continue;
            }

            foreach (var failure in result.Failures)
            {
                text.Append(CultureInfo.InvariantCulture, $"  {id} [line {result.Case.LineNumber}]: {failure}\n");
            }
        }
    }

    /// <summary>The judge's agreement with the test set, and each case where they differ.</summary>
    internal static void Calibration(StringBuilder text, JudgeCalibration calibration)
    {
        var rate = calibration.AgreementRate is { } r ? $" ({PreflightEvaluator.Percent(r)})" : "";
        text.Append(CultureInfo.InvariantCulture, $"\njudge calibration ({calibration.JudgeModel}): {calibration.Agreed} of {calibration.Total} answer(s) agreed{rate} with the test set's expectations");
        text.Append(CultureInfo.InvariantCulture, $"; {calibration.Unjudged} without a verdict; cost {PreflightEvaluator.Dollars((double)calibration.CostUsd)}\n");
        if (calibration.Unjudged > 0 && calibration.LastProblem is { } problem)
        {
            text.Append(CultureInfo.InvariantCulture, $"  without a verdict (last: {problem})\n");
        }

        foreach (var d in calibration.Disagreements)
        {
            text.Append(CultureInfo.InvariantCulture,
                $"  {d.Version} {d.CaseId} [line {d.Line}]: expectations say {PassName(d.ExpectedPass)}, the judge says {PassName(d.JudgePass)} (score {d.JudgeScore}): {d.Reason}\n");
        }
    }

    private static string PassName(bool passed) => passed ? "pass" : "fail";

    private static void Row(StringBuilder text, string label, string stable, string canary) =>
        text.Append(CultureInfo.InvariantCulture, $"{label,-24}{stable,-18}{canary,-18}\n");

    internal static string StatusName(GateStatus status) => status switch
    {
        GateStatus.Pass => "pass",
        GateStatus.Fail => "FAIL",
        _ => "skip",
    };

    private static string Ms(TimeSpan? value) => value is { } v ? PreflightEvaluator.Ms(v) : "-";

    private static string Count(int value) => value.ToString(CultureInfo.InvariantCulture);

    private static string Number(double? value) => value is { } v ? v.ToString("0.#", CultureInfo.InvariantCulture) : "-";
}
