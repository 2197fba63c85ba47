namespace Canary.Analyzer.Preflight;

/// <summary>One failure in a stage-1 record: a failed expectation, or "no answer: kind (detail)" for a case with no answer.</summary>
internal sealed record StoredFailure(string Version, string CaseId, bool MustPass, int? Line, string Text);
