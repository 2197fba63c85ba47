namespace Canary.Analyzer.Preflight;

/// <summary>A stored stage-1 record: a preflight's verdict for one rollout and pair of versions, or an operator's skip.</summary>
internal sealed record PreflightRecord(
    long Id,
    string Rollout,
    string StableSubset,
    string CanarySubset,
    string Verdict,
    string Reason,
    DateTimeOffset StartedAt,
    DateTimeOffset FinishedAt,
    int Cases,
    string? SkippedBy);
