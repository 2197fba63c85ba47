namespace Canary.Analyzer.Cli;

/// <summary>What <c>start</c> was told about a rollout's table entry: versions, salt, who is forced in or kept out, which share of answers is kept for the judge.</summary>
internal sealed record StartAudience(
    string Route,
    string Stable,
    string Canary,
    string? Salt,
    IReadOnlyList<string> ForcedUsers,
    IReadOnlyList<string> ExcludedUsers,
    IReadOnlyList<string> ExcludedTenants,
    string? OptInHeader,
    string? StableModel,
    string? CanaryModel,
    string? QualitySample = null);
