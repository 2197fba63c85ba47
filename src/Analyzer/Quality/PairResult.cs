namespace Canary.Analyzer.Quality;

/// <summary>The canary's outcome for one prompt over both orders; stored as <c>quality_pairs.result</c>.</summary>
internal enum PairResult
{
    Win,
    Tie,
    Loss,
}
