namespace Canary.Analyzer.Preflight;

/// <summary>
/// The preflight report as JSON: the <c>preflight-&lt;rollout&gt;.json</c> file and the body of the stage-1 record.
/// Every member is optional on reading, as records of every age are read back.
/// </summary>
internal sealed record PreflightReportJson
{
    public string? Rollout { get; init; }

    public string? Verdict { get; init; }

    public string? Reason { get; init; }

    public string? TestSet { get; init; }

    public string? TestSetSha256 { get; init; }

    public DateTimeOffset? StartedAt { get; init; }

    public DateTimeOffset? FinishedAt { get; init; }

    public IReadOnlyList<PreflightGateJson>? Gates { get; init; }

    public PreflightVersionJson? Stable { get; init; }

    public PreflightVersionJson? Canary { get; init; }

    /// <summary>The judge's agreement with the test set; absent when no judge was configured.</summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public JudgeCalibrationJson? Calibration { get; init; }
}
