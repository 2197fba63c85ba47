namespace Canary.Analyzer.Quality;

/// <summary>
/// A sample waiting to be paired, with the other version's answer when an earlier run already got it (its pair then
/// failed at the judge): the retry sends only the two judge calls, and the other version is not asked, or paid, twice.
/// </summary>
internal sealed record PairCandidate(JudgedSample Sample, string? StoredOtherAnswer);
