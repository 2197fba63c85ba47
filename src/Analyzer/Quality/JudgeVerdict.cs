namespace Canary.Analyzer.Quality;

/// <summary>What the judge said of one answer, once it parsed and every field was in range.</summary>
internal sealed record JudgeVerdict(short Score, bool Passed, string Reason);
