using System.Globalization;
using System.Text.RegularExpressions;

namespace Canary.IntegrationTests.Quality;

/// <summary>
/// The answers of a model stand-in whose quality is set by the question's number: with <see cref="MuddledPerTen"/>, of
/// every ten question numbers, the first <c>muddledPerTen</c> get an answer that says
/// <see cref="FakeJudgeServer.LowScoreWord"/> (which the fake judge scores 2 and fails), the others a clear one; with
/// <see cref="PreferredOn"/>, some answers carry the marker the fake judge prefers in a comparison. Every answer is well
/// formed and comes with the same usage, so only a judge tells them apart.
/// </summary>
internal static partial class ModelAnswers
{
    public static Func<string, string> MuddledPerTen(int muddledPerTen) => body =>
    {
        var question = QuestionOf(body);
        return question % 10 < muddledPerTen
            ? $"About question {question}: a {FakeJudgeServer.LowScoreWord} reply"
            : $"About question {question}: a clear answer";
    };

    /// <summary>
    /// Answers that are all clear (the rubric judge passes every one) and differ only in a pairwise comparison: the
    /// answer to a question whose number ends in one of <paramref name="lastDigits"/> carries
    /// <see cref="FakeJudgeServer.PreferredMarker"/>, which the fake judge prefers to an answer without it.
    /// </summary>
    public static Func<string, string> PreferredOn(params int[] lastDigits) => body =>
    {
        var question = QuestionOf(body);
        return lastDigits.Contains(question % 10)
            ? $"About question {question}: {FakeJudgeServer.PreferredMarker} a clear answer"
            : $"About question {question}: a clear answer";
    };

    private static int QuestionOf(string body)
    {
        var match = Question().Match(body);
        return match.Success ? int.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture) : 0;
    }

    [GeneratedRegex(@"question (\d+)")]
    private static partial Regex Question();
}
