namespace Canary.Analyzer.Rollouts;

/// <summary>One row of the audit trail: what was decided and done for a rollout, on which evidence, and why.</summary>
internal sealed record DecisionRecord(
    string Rollout,
    DateTimeOffset DecidedAt,
    string Verdict,
    string Action,
    string Reason,
    int StageIndex,
    int FromWeight,
    int ToWeight,
    long? Generation,
    DateTimeOffset WindowStart,
    DateTimeOffset WindowEnd,
    long CanaryRequests,
    long StableRequests,
    string EvidenceJson,
    bool DryRun);
