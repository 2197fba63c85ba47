namespace Canary.Analyzer.Preflight;

/// <summary>
/// A stage-1 record as reports show it: the row's own columns, always there, and the gates, both versions' figures and
/// every failure when its JSON body could be read. A skip has no body; a body that cannot be read leaves the verdict and
/// reason standing and says why the rest is missing.
/// </summary>
internal sealed record StoredPreflight
{
    public required string Rollout { get; init; }

    public required string StableSubset { get; init; }

    public required string CanarySubset { get; init; }

    /// <summary>As stored: pass, fail, incomplete or skipped.</summary>
    public required string Verdict { get; init; }

    public required string Reason { get; init; }

    public required DateTimeOffset StartedAt { get; init; }

    public required DateTimeOffset FinishedAt { get; init; }

    public int Cases { get; init; }

    public string? TestSet { get; init; }

    public string? TestSetSha256 { get; init; }

    public string? SkippedBy { get; init; }

    public IReadOnlyList<GateResult> Gates { get; init; } = [];

    public StoredVersionSummary? Stable { get; init; }

    public StoredVersionSummary? Canary { get; init; }

    /// <summary>Stable's failures first, then the canary's, each in test-set order.</summary>
    public IReadOnlyList<StoredFailure> Failures { get; init; } = [];

    /// <summary>The judge's agreement with the test set; null when no judge was configured.</summary>
    public JudgeCalibration? Calibration { get; init; }

    /// <summary>Why the details are missing; null when they were read, and for a skip, which has none.</summary>
    public string? Unreadable { get; init; }

    public bool Skipped => Verdict == PreflightStore.SkippedVerdict;

    /// <summary>
    /// The report as it would be read back from the database: built from the JSON that is stored, so the standalone page
    /// and a rollout report's stage-1 section cannot show different things.
    /// </summary>
    public static StoredPreflight From(PreflightReport report) => PreflightJson.Read(
        new StoredPreflight
        {
            Rollout = report.Rollout,
            StableSubset = report.Stable.Subset,
            CanarySubset = report.Canary.Subset,
            Verdict = PreflightReport.VerdictName(report.Verdict),
            Reason = report.Reason,
            StartedAt = report.StartedAt,
            FinishedAt = report.FinishedAt,
            Cases = report.Stable.Cases,
            TestSet = report.TestSet,
            TestSetSha256 = report.TestSetSha256,
        },
        PreflightJson.Write(report));
}
