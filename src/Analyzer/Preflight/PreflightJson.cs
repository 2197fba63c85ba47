using System.Buffers;
using System.Text;
using System.Text.Json;

namespace Canary.Analyzer.Preflight;

/// <summary>
/// The JSON form of a preflight report (the file written next to the HTML and the stored record's body), written from
/// a <see cref="PreflightReport"/> and read back into a <see cref="StoredPreflight"/>. Reader and writer live together
/// so the format has one definition.
/// </summary>
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

    /// <summary>
    /// The row with the details of its JSON body added. Never throws on the body: a body that is not JSON, or not this
    /// format, leaves the row as it is with <see cref="StoredPreflight.Unreadable"/> saying why.
    /// </summary>
    public static StoredPreflight Read(StoredPreflight row, string json)
    {
        try
        {
            using var document = JsonDocument.Parse(json);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                return row with { Unreadable = $"the stored report is a JSON {Kind(root.ValueKind)}, not an object" };
            }

            var empty = !root.EnumerateObject().MoveNext();
            if (empty && row.Skipped)
            {
                return row;
            }

            if (Property(root, "gates") is null || Property(root, "stable") is null || Property(root, "canary") is null)
            {
                return row with { Unreadable = empty ? "the stored report is empty" : "the stored report has no gates or version figures" };
            }

            var gates = new List<GateResult>();
            foreach (var gate in ArrayOf(root, "gates"))
            {
                gates.Add(new GateResult(RequiredString(gate, "name"), Status(RequiredString(gate, "status")), OptionalString(gate, "detail") ?? ""));
            }

            var failures = new List<StoredFailure>();
            var stable = ReadVersion(ObjectOf(root, "stable"), "stable", failures);
            var canary = ReadVersion(ObjectOf(root, "canary"), "canary", failures);
            return row with
            {
                TestSet = row.TestSet ?? OptionalString(root, "test_set"),
                TestSetSha256 = row.TestSetSha256 ?? OptionalString(root, "test_set_sha256"),
                Gates = gates,
                Stable = stable,
                Canary = canary,
                Failures = failures,
            };
        }
        catch (Exception exception) when (exception is JsonException or FormatException or InvalidOperationException)
        {
            return row with { Unreadable = exception.Message };
        }
    }

    private static StoredVersionSummary ReadVersion(JsonElement version, string arm, List<StoredFailure> failures)
    {
        var mustPassFailed = new List<string>();
        if (Property(version, "must_pass_failed") is not null)
        {
            foreach (var id in ArrayOf(version, "must_pass_failed"))
            {
                mustPassFailed.Add(id.ValueKind == JsonValueKind.String ? id.GetString()! : throw Unexpected("must_pass_failed", "strings", id));
            }
        }

        int? cases = null, listed = null;
        foreach (var member in version.EnumerateObject())
        {
            // The per-case list is "results"; records written before it had that name carry it as a second "cases"
            // member, the one jsonb keeps (of duplicate keys the last wins), so an array under "cases" is that list.
            if (member.NameEquals("results") || (member.NameEquals("cases") && member.Value.ValueKind == JsonValueKind.Array))
            {
                listed = ReadResults(member.Value, arm, failures);
            }
            else if (member.NameEquals("cases") && member.Value.ValueKind != JsonValueKind.Null)
            {
                cases = member.Value.ValueKind == JsonValueKind.Number && member.Value.TryGetInt32(out var count) ? count : throw Unexpected("cases", "a whole number", member.Value);
            }
        }

        return new StoredVersionSummary
        {
            Subset = OptionalString(version, "subset"),
            Cases = cases ?? listed,
            Answered = OptionalInt(version, "answered"),
            Passed = OptionalInt(version, "passed"),
            PassRate = OptionalDouble(version, "pass_rate"),
            ExpectationsChecked = OptionalInt(version, "expectations_checked"),
            ExpectationsFailed = OptionalInt(version, "expectations_failed"),
            RefusalRate = OptionalDouble(version, "refusal_rate"),
            Attempts = OptionalInt(version, "attempts"),
            RetryWaitMs = OptionalDouble(version, "retry_wait_ms"),
            LatencyP50Ms = OptionalDouble(version, "latency_p50_ms"),
            LatencyP95Ms = OptionalDouble(version, "latency_p95_ms"),
            MeanCostUsd = OptionalDouble(version, "mean_cost_usd"),
            MustPassFailed = mustPassFailed,
        };
    }

    private static int ReadResults(JsonElement results, string arm, List<StoredFailure> failures)
    {
        if (results.ValueKind != JsonValueKind.Array)
        {
            throw Unexpected("results", "an array", results);
        }

        foreach (var result in results.EnumerateArray())
        {
            var id = RequiredString(result, "id");
            var mustPass = OptionalBool(result, "must_pass") ?? false;
            var line = OptionalInt(result, "line");
            if (OptionalString(result, "error") is { } error)
            {
                failures.Add(new StoredFailure(arm, id, mustPass, line, $"no answer: {error} ({OptionalString(result, "error_detail")})"));
            }

            if (Property(result, "failures") is not null)
            {
                foreach (var failure in ArrayOf(result, "failures"))
                {
                    var text = failure.ValueKind == JsonValueKind.String ? failure.GetString()! : throw Unexpected("failures", "strings", failure);
                    failures.Add(new StoredFailure(arm, id, mustPass, line, text));
                }
            }
        }

        return results.GetArrayLength();
    }

    private static GateStatus Status(string text) => text switch
    {
        "pass" => GateStatus.Pass,
        "fail" => GateStatus.Fail,
        "skipped" => GateStatus.Skipped,
        _ => throw new FormatException($"unknown gate status \"{text}\""),
    };

    /// <summary>The named member, or null when it is absent or JSON null.</summary>
    private static JsonElement? Property(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind != JsonValueKind.Null ? value : null;

    private static JsonElement.ArrayEnumerator ArrayOf(JsonElement element, string name) => Property(element, name) switch
    {
        null => throw Missing(name),
        { ValueKind: JsonValueKind.Array } value => value.EnumerateArray(),
        { } value => throw Unexpected(name, "an array", value),
    };

    private static JsonElement ObjectOf(JsonElement element, string name) => Property(element, name) switch
    {
        null => throw Missing(name),
        { ValueKind: JsonValueKind.Object } value => value,
        { } value => throw Unexpected(name, "an object", value),
    };

    private static string RequiredString(JsonElement element, string name) => OptionalString(element, name) ?? throw Missing(name);

    private static string? OptionalString(JsonElement element, string name) => Property(element, name) switch
    {
        null => null,
        { ValueKind: JsonValueKind.String } value => value.GetString(),
        { } value => throw Unexpected(name, "a string", value),
    };

    private static double? OptionalDouble(JsonElement element, string name) => Property(element, name) switch
    {
        null => null,
        { ValueKind: JsonValueKind.Number } value => value.GetDouble(),
        { } value => throw Unexpected(name, "a number", value),
    };

    private static int? OptionalInt(JsonElement element, string name) => Property(element, name) switch
    {
        null => null,
        { ValueKind: JsonValueKind.Number } value when value.TryGetInt32(out var number) => number,
        { } value => throw Unexpected(name, "a whole number", value),
    };

    private static bool? OptionalBool(JsonElement element, string name) => Property(element, name) switch
    {
        null => null,
        { ValueKind: JsonValueKind.True } => true,
        { ValueKind: JsonValueKind.False } => false,
        { } value => throw Unexpected(name, "true or false", value),
    };

    private static FormatException Missing(string name) => new($"\"{name}\" is missing");

    private static FormatException Unexpected(string name, string expected, JsonElement value) =>
        new($"\"{name}\" is a JSON {Kind(value.ValueKind)}, expected {expected}");

    private static string Kind(JsonValueKind kind) => kind switch
    {
        JsonValueKind.Object => "object",
        JsonValueKind.Array => "array",
        JsonValueKind.String => "string",
        JsonValueKind.Number => "number",
        JsonValueKind.True or JsonValueKind.False => "boolean",
        _ => "null",
    };

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
        json.WriteNumber("attempts", summary.Attempts);
        json.WriteNumber("retry_wait_ms", summary.RetryWait.TotalMilliseconds);
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
        json.WriteStartArray("results");
        foreach (var result in results)
        {
            json.WriteStartObject();
            json.WriteString("id", result.Case.Id);
            json.WriteNumber("line", result.Case.LineNumber);
            json.WriteBoolean("must_pass", result.Case.MustPass);
            json.WriteBoolean("passed", result.Passed);
            json.WriteNumber("attempts", result.Call.Attempts);
            json.WriteNumber("retry_wait_ms", result.Call.RetryWait.TotalMilliseconds);
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
