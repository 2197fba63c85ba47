using System.Text;
using System.Text.Json;

namespace Canary.Analyzer.Quality;

/// <summary>
/// Reads the judge's reply into a <see cref="JudgeVerdict"/>, defensively: the endpoint was asked for a JSON schema,
/// but not every OpenAI-compatible server enforces it, and a model can still wrap the object in a code fence or add a
/// sentence. The object is taken from the reply (fence or surrounding text removed) and must hold an integer score
/// from 1 to 5 and a boolean pass; anything else is a problem, never a guessed score.
/// </summary>
internal static class JudgeVerdictParser
{
    public const int MaxReasonLength = 300;

    public static (JudgeVerdict? Verdict, string? Problem) Parse(string? reply) => ParseObject<JudgeVerdict>(reply, Read);

    /// <summary>
    /// The JSON object in a judge's reply (a code fence or text around it ignored), read by <paramref name="read"/>
    /// (given the object and the whole reply, for excerpts); an empty reply, no object or invalid JSON is the problem.
    /// Shared by the rubric and the pairwise verdicts.
    /// </summary>
    internal static (T? Verdict, string? Problem) ParseObject<T>(string? reply, Func<JsonElement, string, (T?, string?)> read)
        where T : class
    {
        if (string.IsNullOrWhiteSpace(reply))
        {
            return (null, "the judge's reply is empty");
        }

        var start = reply.IndexOf('{', StringComparison.Ordinal);
        var end = reply.LastIndexOf('}');
        if (start < 0 || end < start)
        {
            return (null, $"no JSON object in the judge's reply: {Excerpt(reply)}");
        }

        try
        {
            using var document = JsonDocument.Parse(reply.AsMemory(start, end - start + 1));
            return read(document.RootElement, reply);
        }
        catch (JsonException)
        {
            return (null, $"the judge's reply is not valid JSON: {Excerpt(reply)}");
        }
    }

    private static (JudgeVerdict?, string?) Read(JsonElement root, string reply)
    {
        if (!root.TryGetProperty("score", out var scoreValue))
        {
            return (null, $"no score in the judge's reply: {Excerpt(reply)}");
        }

        // 4 and 4.0 are the same score; 4.5 or "4" are not what was asked for.
        if (scoreValue.ValueKind != JsonValueKind.Number || !scoreValue.TryGetDouble(out var score) || score != Math.Floor(score))
        {
            return (null, $"the score is not a whole number: {Excerpt(scoreValue.GetRawText())}");
        }

        if (score is < 1 or > 5)
        {
            return (null, $"the score {score} is outside 1 to 5");
        }

        if (!(root.TryGetProperty("pass", out var passValue) || root.TryGetProperty("passed", out passValue))
            || passValue.ValueKind is not (JsonValueKind.True or JsonValueKind.False))
        {
            return (null, $"no boolean pass in the judge's reply: {Excerpt(reply)}");
        }

        var reason = root.TryGetProperty("reason", out var reasonValue) && reasonValue.ValueKind == JsonValueKind.String
            ? OneLine(reasonValue.GetString()!, MaxReasonLength)
            : "";
        return (new JudgeVerdict((short)score, passValue.ValueKind == JsonValueKind.True, reason), null);
    }

    /// <summary>Whitespace runs (newlines included) become one space, and the text is cut to <paramref name="max"/> characters.</summary>
    public static string OneLine(string text, int max)
    {
        var line = new StringBuilder(Math.Min(text.Length, max + 1));
        var space = false;
        var cut = false;
        foreach (var c in text.Trim())
        {
            if (char.IsWhiteSpace(c))
            {
                space = true;
                continue;
            }

            if (space)
            {
                line.Append(' ');
                space = false;
            }

            line.Append(c);
            if (line.Length > max)
            {
                cut = true;
                break;
            }
        }

        return cut ? line.ToString(0, max - 1) + "…" : line.ToString();
    }

    internal static string Excerpt(string text) => OneLine(text, 120);
}
