namespace Canary.Analyzer.Reports;

/// <summary>
/// One of the lowest-scored sampled answers: the judge's score and reason with the request and answer as the sidecar
/// stored them (redacted before they were written), cut to an excerpt.
/// </summary>
internal sealed record LowScoredAnswer(DateTimeOffset SampledAt, string Arm, int Score, bool Passed, string Reason, string Request, string Answer);
