using System.Text.Json.Serialization;

namespace Canary.Analyzer.Rollouts;

/// <summary>A decision record's evidence (<c>rollout_decisions.evidence_json</c>): what the verdict was based on.</summary>
internal sealed record EvidenceRecordJson
{
    public required ArmEvidenceJson Canary { get; init; }

    public required ArmEvidenceJson Stable { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public SplitJson? Split { get; init; }

    /// <summary>A single-look G-test of the finish-reason mix, reported for people; the gate on it is the length_finish_rate guard.</summary>
    /// <summary>The split of the users' buckets, which the split check gates on; absent for telemetry without bucket sets.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public BucketSplitJson? BucketSplit { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public FinishReasonMixJson? FinishReasonMix { get; init; }

    public double RollbackAlphaPerTest { get; init; }

    public double PromotionAlpha { get; init; }

    public required IReadOnlyList<GuardEvidenceJson> Guards { get; init; }

    /// <summary>Requests of the same window that are not part of the comparison, per off-comparison arm (<c>v2:testers</c>, ...).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyList<OffComparisonArmJson>? OffComparison { get; init; }
}
