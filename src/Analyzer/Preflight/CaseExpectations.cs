using System.Text.Json;
using System.Text.RegularExpressions;

namespace Canary.Analyzer.Preflight;

/// <summary>What a test case's answer must satisfy; every list may be empty and every limit absent.</summary>
internal sealed record CaseExpectations
{
    public IReadOnlyList<string> Contains { get; init; } = [];

    public IReadOnlyList<string> NotContains { get; init; } = [];

    public IReadOnlyList<Regex> Patterns { get; init; } = [];

    /// <summary>The answer (its first JSON value, code fences stripped) must be valid against this schema.</summary>
    public JsonElement? JsonSchema { get; init; }

    public int? MaxOutputTokens { get; init; }

    public bool MustNotRefuse { get; init; }

    public bool CaseInsensitive { get; init; }

    public int Count =>
        Contains.Count + NotContains.Count + Patterns.Count + (JsonSchema is null ? 0 : 1) + (MaxOutputTokens is null ? 0 : 1) + (MustNotRefuse ? 1 : 0);
}
