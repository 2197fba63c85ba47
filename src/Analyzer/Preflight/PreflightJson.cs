using System.Buffers;
using System.Text;
using System.Text.Json;

namespace Canary.Analyzer.Preflight;

/// <summary>The JSON form of a preflight report (the file written next to the HTML and the stored record's body).</summary>
internal static class PreflightJson
{
    public static string Write(PreflightReport report)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            json.WriteStartObject();
            json.WriteString("rollout", report.Rollout);
            json.WriteString("verdict", PreflightReport.VerdictName(report.Verdict));
            json.WriteString("reason", report.Reason);
            json.WriteString("test_set", report.TestSet);
            json.WriteString("test_set_sha256", report.TestSetSha256);
            json.WriteString("started_at", report.StartedAt);
            json.WriteString("finished_at", report.FinishedAt);
            json.WriteStartArray("gates");
            foreach (var gate in report.Gates)
            {
                json.WriteStartObject();
                json.WriteString("name", gate.Name);
                json.WriteString("status", gate.Status switch { GateStatus.Pass => "pass", GateStatus.Fail => "fail", _ => "skipped" });
                json.WriteString("detail", gate.Detail);
                json.WriteEndObject();
            }

            json.WriteEndArray();
            Version(json, "stable", report.Stable, report.StableResults);
            Version(json, "canary", report.Canary, report.CanaryResults);
            json.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    private static void Version(Utf8JsonWriter json, string name, VersionSummary summary, IReadOnlyList<CaseResult> results)
    {
        json.WriteStartObject(name);
        json.WriteString("subset", summary.Subset);
        json.WriteNumber("cases", summary.Cases);
        json.WriteNumber("answered", summary.Completed);
        json.WriteNumber("passed", summary.Passed);
        json.WriteNumber("pass_rate", summary.PassRate);
        json.WriteNumber("expectations_checked", summary.ExpectationsChecked);
        json.WriteNumber("expectations_failed", summary.ExpectationsFailed);
        json.WriteNumber("refused", summary.Refused);
        json.WriteNumber("refusal_rate", summary.RefusalRate);
        Nullable(json, "latency_p50_ms", summary.LatencyP50?.TotalMilliseconds);
        Nullable(json, "latency_p95_ms", summary.LatencyP95?.TotalMilliseconds);
        Nullable(json, "mean_input_tokens", summary.MeanInputTokens);
        Nullable(json, "mean_output_tokens", summary.MeanOutputTokens);
        Nullable(json, "mean_cost_usd", summary.MeanCost);
        json.WriteStartArray("must_pass_failed");
        foreach (var id in summary.MustPassFailed)
        {
            json.WriteStringValue(id);
        }

        json.WriteEndArray();
        json.WriteStartArray("cases");
        foreach (var result in results)
        {
            json.WriteStartObject();
            json.WriteString("id", result.Case.Id);
            json.WriteNumber("line", result.Case.LineNumber);
            json.WriteBoolean("must_pass", result.Case.MustPass);
            json.WriteBoolean("passed", result.Passed);
            json.WriteNumber("attempts", result.Call.Attempts);
            if (result.Call.Failure is { } kind)
            {
                json.WriteString("error", PreflightEvaluator.KindName(kind));
                json.WriteString("error_detail", result.Call.FailureMessage);
            }

            if (result.Call.Answer is { } answer)
            {
                json.WriteBoolean("refused", result.Refused);
                json.WriteNumber("latency_ms", answer.Latency.TotalMilliseconds);
                Nullable(json, "time_to_first_token_ms", answer.TimeToFirstToken?.TotalMilliseconds);
                Nullable(json, "input_tokens", answer.InputTokens);
                Nullable(json, "output_tokens", answer.OutputTokens);
                Nullable(json, "cost_usd", result.Cost);
                json.WriteString("finish_reason", answer.FinishReason);
                json.WriteString("answer", answer.Text.Length <= 2000 ? answer.Text : answer.Text[..2000]);
            }

            json.WriteStartArray("failures");
            foreach (var failure in result.Failures)
            {
                json.WriteStringValue(failure);
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        json.WriteEndArray();
        json.WriteEndObject();
    }

    private static void Nullable(Utf8JsonWriter json, string name, double? value)
    {
        if (value is { } v)
        {
            json.WriteNumber(name, v);
        }
        else
        {
            json.WriteNull(name);
        }
    }

    private static void Nullable(Utf8JsonWriter json, string name, long? value)
    {
        if (value is { } v)
        {
            json.WriteNumber(name, v);
        }
        else
        {
            json.WriteNull(name);
        }
    }
}
