namespace Canary.Analyzer.Rollouts;

/// <summary>One off-comparison arm's counts in a decision record's evidence (<c>offComparison</c>).</summary>
internal sealed record OffComparisonArmJson(string Subset, long Requests, long Errors);
