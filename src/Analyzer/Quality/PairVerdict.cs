namespace Canary.Analyzer.Quality;

/// <summary>What the judge said of one pair in one order, once it parsed.</summary>
internal sealed record PairVerdict(PairLetter Preferred, string Reason);
