using System.Text.Json;

namespace Canary.Analyzer.Quality;

/// <summary>
/// Reads the judge's pairwise reply into a <see cref="PairVerdict"/>, as defensively as <see cref="JudgeVerdictParser"/>:
/// the object is taken from the reply (a code fence or surrounding text removed) and must hold <c>preferred</c> as
/// "A", "B" or "tie" (any case); anything else is a problem, never a guessed preference.
/// </summary>
internal static class PairVerdictParser
{
    public static (PairVerdict? Verdict, string? Problem) Parse(string? reply) => JudgeVerdictParser.ParseObject<PairVerdict>(reply, Read);

    private static (PairVerdict?, string?) Read(JsonElement root, string reply)
    {
        if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("preferred", out var preferred) || preferred.ValueKind != JsonValueKind.String)
        {
            return (null, $"no preferred answer in the judge's reply: {Excerpt(reply)}");
        }

        PairLetter? letter = preferred.GetString()!.Trim().ToUpperInvariant() switch
        {
            "A" => PairLetter.A,
            "B" => PairLetter.B,
            "TIE" => PairLetter.Tie,
            _ => null,
        };
        if (letter is null)
        {
            return (null, $"the preferred answer \"{Excerpt(preferred.GetString()!)}\" is not A, B or tie");
        }

        var reason = root.TryGetProperty("reason", out var reasonValue) && reasonValue.ValueKind == JsonValueKind.String
            ? JudgeVerdictParser.OneLine(reasonValue.GetString()!, JudgeVerdictParser.MaxReasonLength)
            : "";
        return (new PairVerdict(letter.Value, reason), null);
    }

    private static string Excerpt(string text) => JudgeVerdictParser.Excerpt(text);
}
