namespace Canary.Analyzer.Quality;

/// <summary>The judge's pairwise verdict as it gave it, by position: Answer A, Answer B or a tie.</summary>
internal enum PairLetter
{
    A,
    B,
    Tie,
}
