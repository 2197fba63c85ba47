namespace Canary.Analyzer.Quality;

/// <summary>Which version's answer the judge preferred in one order; stored as <c>canary_first</c> / <c>stable_first</c>.</summary>
internal enum PairPreference
{
    Canary,
    Stable,
    Tie,
}
