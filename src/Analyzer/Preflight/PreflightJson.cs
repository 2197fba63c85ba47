using System.Text.Json;

namespace Canary.Analyzer.Preflight;

/// <summary>
/// The JSON form of a preflight report (the file written next to the HTML and the stored record's body), written from
/// a <see cref="PreflightReport"/> and read back into a <see cref="StoredPreflight"/> through
/// <see cref="PreflightJsonContext"/>. Reader and writer live together so the format has one definition.
/// </summary>
internal static class PreflightJson
{
    /// <summary>Answers longer than this are cut in the report; the full text was judged, the report only shows it.</summary>
    private const int AnswerShown = 2000;

    public static string Write(PreflightReport report) => JsonSerializer.Serialize(
        new PreflightReportJson
        {
            Rollout = report.Rollout,
            Verdict = PreflightReport.VerdictName(report.Verdict),
            Reason = report.Reason,
            TestSet = report.TestSet,
            TestSetSha256 = report.TestSetSha256,
            StartedAt = report.StartedAt,
            FinishedAt = report.FinishedAt,
            Gates = [.. report.Gates.Select(g => new PreflightGateJson { Name = g.Name, Status = StatusName(g.Status), Detail = g.Detail })],
            Stable = Version(report.Stable, report.StableResults, report.StableEndpoint),
            Canary = Version(report.Canary, report.CanaryResults, report.CanaryEndpoint),
            Calibration = report.Calibration is { } calibration ? JudgeCalibrationJson.From(calibration) : null,
        },
        PreflightJsonContext.Default.PreflightReportJson);

    /// <summary>
    /// The row with the details of its JSON body added. Never throws on the body: a body that is not JSON, or not this
    /// format, leaves the row as it is with <see cref="StoredPreflight.Unreadable"/> saying why.
    /// </summary>
    public static StoredPreflight Read(StoredPreflight row, string json)
    {
        try
        {
            var body = JsonSerializer.Deserialize(json, PreflightJsonContext.Default.PreflightReportJson)
                ?? throw new FormatException("the stored report is JSON null");
            var empty = body == new PreflightReportJson();
            if (empty && row.Skipped)
            {
                return row;
            }

            if (body.Gates is null || body.Stable is null || body.Canary is null)
            {
                return row with { Unreadable = empty ? "the stored report is empty" : "the stored report has no gates or version figures" };
            }

            var gates = body.Gates.Select(g => new GateResult(g.Name, Status(g.Status), g.Detail ?? "")).ToList();
            var failures = new List<StoredFailure>();
            var stable = ReadVersion(body.Stable, "stable", failures);
            var canary = ReadVersion(body.Canary, "canary", failures);
            return row with
            {
                TestSet = row.TestSet ?? body.TestSet,
                TestSetSha256 = row.TestSetSha256 ?? body.TestSetSha256,
                Gates = gates,
                Stable = stable,
                Canary = canary,
                Failures = failures,
                Calibration = body.Calibration?.ToCalibration(),
            };
        }
        catch (Exception exception) when (exception is JsonException or FormatException or InvalidOperationException or NotSupportedException)
        {
            return row with { Unreadable = exception.Message };
        }
    }

    private static PreflightVersionJson Version(VersionSummary summary, IReadOnlyList<CaseResult> results, ModelEndpoint? endpoint) => new()
    {
        Subset = summary.Subset,
        Cases = JsonSerializer.SerializeToElement(summary.Cases, PreflightJsonContext.Default.Int32),
        Answered = summary.Completed,
        Passed = summary.Passed,
        PassRate = summary.PassRate,
        ExpectationsChecked = summary.ExpectationsChecked,
        ExpectationsFailed = summary.ExpectationsFailed,
        Refused = summary.Refused,
        RefusalRate = summary.RefusalRate,
        Attempts = summary.Attempts,
        RetryWaitMs = summary.RetryWait.TotalMilliseconds,
        LatencyP50Ms = summary.LatencyP50?.TotalMilliseconds,
        LatencyP95Ms = summary.LatencyP95?.TotalMilliseconds,
        MeanInputTokens = summary.MeanInputTokens,
        MeanOutputTokens = summary.MeanOutputTokens,
        MeanCostUsd = summary.MeanCost,
        MustPassFailed = summary.MustPassFailed,
        Results = [.. results.Select(Case)],
        Endpoint = PreflightEndpointJson.From(endpoint),
    };

    private static PreflightCaseJson Case(CaseResult result)
    {
        var common = new PreflightCaseJson
        {
            Id = result.Case.Id,
            Line = result.Case.LineNumber,
            MustPass = result.Case.MustPass,
            Passed = result.Passed,
            Attempts = result.Call.Attempts,
            RetryWaitMs = result.Call.RetryWait.TotalMilliseconds,
            Error = result.Call.Failure is { } kind ? PreflightEvaluator.KindName(kind) : null,
            ErrorDetail = result.Call.Failure is not null ? result.Call.FailureMessage : null,
            Failures = result.Failures,
        };
        if (result.Call.Answer is not { } answer)
        {
            return common;
        }

        return new AnsweredPreflightCaseJson
        {
            Id = common.Id,
            Line = common.Line,
            MustPass = common.MustPass,
            Passed = common.Passed,
            Attempts = common.Attempts,
            RetryWaitMs = common.RetryWaitMs,
            Error = common.Error,
            ErrorDetail = common.ErrorDetail,
            Failures = common.Failures,
            Refused = result.Refused,
            LatencyMs = answer.Latency.TotalMilliseconds,
            TimeToFirstTokenMs = answer.TimeToFirstToken?.TotalMilliseconds,
            InputTokens = answer.InputTokens,
            OutputTokens = answer.OutputTokens,
            CostUsd = result.Cost,
            FinishReason = answer.FinishReason,
            Answer = answer.Text.Length <= AnswerShown ? answer.Text : answer.Text[..AnswerShown],
        };
    }

    private static StoredVersionSummary ReadVersion(PreflightVersionJson version, string arm, List<StoredFailure> failures)
    {
        int? cases = null, listed = null;
        switch (version.Cases)
        {
            case { ValueKind: JsonValueKind.Number } count:
                cases = count.TryGetInt32(out var n) ? n : throw new FormatException("\"cases\" is not a whole number");
                break;
            case { ValueKind: JsonValueKind.Array } list:
                listed = ReadResults(list.Deserialize(PreflightJsonContext.Default.IReadOnlyListPreflightCaseJson) ?? [], arm, failures);
                break;
            case { ValueKind: not JsonValueKind.Null } other:
                throw new FormatException($"\"cases\" is a JSON {other.ValueKind.ToString().ToLowerInvariant()}, expected a whole number");
        }

        if (version.Results is { } results)
        {
            listed = ReadResults(results, arm, failures);
        }

        return new StoredVersionSummary
        {
            Subset = version.Subset,
            Cases = cases ?? listed,
            Answered = version.Answered,
            Passed = version.Passed,
            PassRate = version.PassRate,
            ExpectationsChecked = version.ExpectationsChecked,
            ExpectationsFailed = version.ExpectationsFailed,
            RefusalRate = version.RefusalRate,
            Attempts = version.Attempts,
            RetryWaitMs = version.RetryWaitMs,
            LatencyP50Ms = version.LatencyP50Ms,
            LatencyP95Ms = version.LatencyP95Ms,
            MeanCostUsd = version.MeanCostUsd,
            MustPassFailed = version.MustPassFailed ?? [],
            Endpoint = version.Endpoint,
        };
    }

    private static int ReadResults(IReadOnlyList<PreflightCaseJson> results, string arm, List<StoredFailure> failures)
    {
        foreach (var result in results)
        {
            var mustPass = result.MustPass ?? false;
            if (result.Error is { } error)
            {
                failures.Add(new StoredFailure(arm, result.Id, mustPass, result.Line, $"no answer: {error} ({result.ErrorDetail})"));
            }

            foreach (var failure in result.Failures ?? [])
            {
                failures.Add(new StoredFailure(arm, result.Id, mustPass, result.Line, failure));
            }
        }

        return results.Count;
    }

    private static string StatusName(GateStatus status) => status switch
    {
        GateStatus.Pass => "pass",
        GateStatus.Fail => "fail",
        _ => "skipped",
    };

    private static GateStatus Status(string text) => text switch
    {
        "pass" => GateStatus.Pass,
        "fail" => GateStatus.Fail,
        "skipped" => GateStatus.Skipped,
        _ => throw new FormatException($"unknown gate status \"{text}\""),
    };
}
