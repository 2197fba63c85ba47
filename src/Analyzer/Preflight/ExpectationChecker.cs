using System.Text.Json;
using System.Text.RegularExpressions;

namespace Canary.Analyzer.Preflight;

/// <summary>Checks an answer against a case's expectations; each failed expectation yields one line saying why.</summary>
internal static class ExpectationChecker
{
    public static List<string> Check(CaseExpectations expect, ModelAnswer answer, bool refused)
    {
        var failures = new List<string>();
        var comparison = expect.CaseInsensitive ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal;
        foreach (var needle in expect.Contains)
        {
            if (!answer.Text.Contains(needle, comparison))
            {
                failures.Add($"contains \"{needle}\": not found");
            }
        }

        foreach (var needle in expect.NotContains)
        {
            if (answer.Text.Contains(needle, comparison))
            {
                failures.Add($"not_contains \"{needle}\": found");
            }
        }

        foreach (var pattern in expect.Patterns)
        {
            try
            {
                if (!pattern.IsMatch(answer.Text))
                {
                    failures.Add($"regex /{pattern}/: no match");
                }
            }
            catch (RegexMatchTimeoutException)
            {
                failures.Add($"regex /{pattern}/: timed out");
            }
        }

        if (expect.JsonSchema is { } schema)
        {
            CheckJson(schema, answer.Text, failures);
        }

        if (expect.MaxOutputTokens is { } limit)
        {
            if (answer.OutputTokens is not { } output)
            {
                failures.Add($"max_output_tokens {limit}: the response reported no output token count");
            }
            else if (output > limit)
            {
                failures.Add($"max_output_tokens {limit}: used {output}");
            }
        }

        if (expect.MustNotRefuse && refused)
        {
            failures.Add("must_not_refuse: the answer is a refusal");
        }

        return failures;
    }

    private static void CheckJson(JsonElement schema, string text, List<string> failures)
    {
        var json = StripFence(text);
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json);
        }
        catch (JsonException e)
        {
            failures.Add($"json_schema: the answer is not JSON ({e.Message})");
            return;
        }

        using (document)
        {
            var errors = new List<string>();
            if (!JsonSchemaSubset.Validate(schema, document.RootElement, errors))
            {
                var shown = errors.Count <= 3 ? errors : errors[..3];
                failures.Add($"json_schema: {string.Join("; ", shown)}{(errors.Count > 3 ? $" (+{errors.Count - 3} more)" : "")}");
            }
        }
    }

    /// <summary>Models often wrap JSON in a Markdown code fence; the fence is not part of the value.</summary>
    internal static string StripFence(string text)
    {
        var trimmed = text.Trim();
        if (!trimmed.StartsWith("```", StringComparison.Ordinal))
        {
            return trimmed;
        }

        var firstLineEnd = trimmed.IndexOf('\n', StringComparison.Ordinal);
        var closing = trimmed.LastIndexOf("```", StringComparison.Ordinal);
        return firstLineEnd > 0 && closing > firstLineEnd ? trimmed[(firstLineEnd + 1)..closing].Trim() : trimmed;
    }
}
