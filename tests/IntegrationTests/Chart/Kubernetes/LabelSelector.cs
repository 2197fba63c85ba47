namespace Canary.IntegrationTests.Chart.Kubernetes;

/// <summary>
/// A Kubernetes label selector in its query form (<c>a=b,c!=d,e,!f</c>), matched as the API server matches it. Set-based
/// terms (<c>in</c>, <c>notin</c>) are refused: the chart renders none, and a stand-in that ignored one would match too much.
/// </summary>
internal static class LabelSelector
{
    public static bool Matches(string selector, IReadOnlyDictionary<string, string> labels)
    {
        foreach (var raw in selector.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (raw.Contains(" in ", StringComparison.Ordinal) || raw.Contains(" notin ", StringComparison.Ordinal) || raw.Contains('('))
            {
                throw new NotSupportedException($"set-based selector term \"{raw}\"");
            }

            bool holds;
            var notEqual = raw.IndexOf("!=", StringComparison.Ordinal);
            var equal = raw.IndexOf('=', StringComparison.Ordinal);
            if (notEqual > 0)
            {
                holds = !labels.TryGetValue(raw[..notEqual], out var v) || v != raw[(notEqual + 2)..];
            }
            else if (equal > 0)
            {
                holds = labels.TryGetValue(raw[..equal], out var v) && v == raw[(equal + 1)..].TrimStart('=');
            }
            else if (raw.StartsWith('!'))
            {
                holds = !labels.ContainsKey(raw[1..]);
            }
            else
            {
                holds = labels.ContainsKey(raw);
            }

            if (!holds)
            {
                return false;
            }
        }

        return true;
    }
}
