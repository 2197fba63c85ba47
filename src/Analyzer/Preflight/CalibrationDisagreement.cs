namespace Canary.Analyzer.Preflight;

/// <summary>One case where the judge's pass differs from the test set's: which answer, what each said, and the judge's reason.</summary>
internal sealed record CalibrationDisagreement(string Version, string CaseId, int? Line, bool ExpectedPass, bool JudgePass, int JudgeScore, string Reason);
