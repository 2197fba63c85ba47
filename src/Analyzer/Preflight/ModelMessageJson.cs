namespace Canary.Analyzer.Preflight;

/// <summary>One chat message of a preflight request.</summary>
internal sealed record ModelMessageJson(string Role, string Content);
