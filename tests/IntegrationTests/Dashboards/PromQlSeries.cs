using System.Text.RegularExpressions;

namespace Canary.IntegrationTests.Dashboards;

/// <summary>
/// The metric names a PromQL expression selects. There is no maintained PromQL parser for .NET, and only the selectors'
/// names are needed: string literals, label matchers (<c>{…}</c>), range and subquery brackets (<c>[…]</c>) and the
/// label lists of <c>by</c>, <c>without</c>, <c>on</c>, <c>ignoring</c>, <c>group_left</c> and <c>group_right</c> are
/// removed, and what is left of each identifier not called as a function, not a keyword and not a Grafana variable is
/// a metric name. The chart tests parse the same expressions with Prometheus's own grammar, so a malformed one fails
/// there.
/// </summary>
internal static partial class PromQlSeries
{
    private static readonly HashSet<string> Keywords = new(StringComparer.OrdinalIgnoreCase)
    {
        "and", "or", "unless", "by", "without", "on", "ignoring", "group_left", "group_right", "bool", "offset", "inf", "nan",
    };

    public static IReadOnlyList<string> Names(string expression)
    {
        var text = StringLiteral().Replace(expression, " ");
        text = Braces().Replace(text, " ");
        text = Brackets().Replace(text, " ");
        text = LabelList().Replace(text, " ");
        return Identifier().Matches(text).Select(m => m.Value).Where(n => !Keywords.Contains(n)).Distinct().ToList();
    }

    [GeneratedRegex("\"(?:[^\"\\\\]|\\\\.)*\"|'(?:[^'\\\\]|\\\\.)*'|`[^`]*`")]
    private static partial Regex StringLiteral();

    [GeneratedRegex(@"\{[^{}]*\}")]
    private static partial Regex Braces();

    [GeneratedRegex(@"\[[^\[\]]*\]")]
    private static partial Regex Brackets();

    [GeneratedRegex(@"\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^()]*\)", RegexOptions.IgnoreCase)]
    private static partial Regex LabelList();

    // Not after a character that would make it part of a number, a duration or a Grafana variable; not a function call.
    [GeneratedRegex(@"(?<![A-Za-z0-9_:$.])[A-Za-z_:][A-Za-z0-9_:]*(?!\s*\()(?![A-Za-z0-9_:])")]
    private static partial Regex Identifier();
}
