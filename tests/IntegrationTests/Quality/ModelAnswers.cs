using System.Globalization;
using System.Text.RegularExpressions;

namespace Canary.IntegrationTests.Quality;

/// <summary>
/// The answers of a model stand-in whose quality is set by a share: of every ten question numbers, the first
/// <c>muddledPerTen</c> get an answer that says <see cref="FakeJudgeServer.LowScoreWord"/> (which the fake judge scores 2
/// and fails), the others a clear one. Both answers are well formed and come with the same usage, so only a judge tells
/// them apart.
/// </summary>
internal static partial class ModelAnswers
{
    public static Func<string, string> MuddledPerTen(int muddledPerTen) => body =>
    {
        var match = Question().Match(body);
        var question = match.Success ? int.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture) : 0;
        return question % 10 < muddledPerTen
            ? $"About question {question}: a {FakeJudgeServer.LowScoreWord} reply"
            : $"About question {question}: a clear answer";
    };

    [GeneratedRegex(@"question (\d+)")]
    private static partial Regex Question();
}
