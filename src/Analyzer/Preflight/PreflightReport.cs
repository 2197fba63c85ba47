namespace Canary.Analyzer.Preflight;

/// <summary>A finished preflight: both versions' results and figures, each gate, and the verdict with its reason.</summary>
internal sealed record PreflightReport
{
    public required string Rollout { get; init; }

    public required string TestSet { get; init; }

    public required string TestSetSha256 { get; init; }

    public required DateTimeOffset StartedAt { get; init; }

    public required DateTimeOffset FinishedAt { get; init; }

    public required VersionSummary Stable { get; init; }

    public required VersionSummary Canary { get; init; }

    public required IReadOnlyList<CaseResult> StableResults { get; init; }

    public required IReadOnlyList<CaseResult> CanaryResults { get; init; }

    public required IReadOnlyList<GateResult> Gates { get; init; }

    public required PreflightVerdict Verdict { get; init; }

    public required string Reason { get; init; }

    /// <summary>How stable was asked, stored with the record (without its API key) for paired comparison.</summary>
    public ModelEndpoint? StableEndpoint { get; init; }

    public ModelEndpoint? CanaryEndpoint { get; init; }

    /// <summary>The judge's agreement with the test set's expectations; null when no judge is configured.</summary>
    public JudgeCalibration? Calibration { get; init; }

    public static string VerdictName(PreflightVerdict verdict) => verdict switch
    {
        PreflightVerdict.Pass => "pass",
        PreflightVerdict.Fail => "fail",
        _ => "incomplete",
    };
}
