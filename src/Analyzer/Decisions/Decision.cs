using Canary.Analyzer.Statistics;

namespace Canary.Analyzer.Decisions;

/// <summary>
/// The engine's verdict for one rollout at one look, with the evidence behind it and a one-sentence reason; the
/// decision record written to the audit table is built from this.
/// </summary>
internal sealed record Decision
{
    public required Verdict Verdict { get; init; }

    public required string Reason { get; init; }

    public required DateTimeOffset DecidedAt { get; init; }

    public required int StageIndex { get; init; }

    public required int CurrentWeightBasisPoints { get; init; }

    /// <summary>The weight to apply: 0 on rollback, the next stage on promote or accelerate, 10 000 on complete.</summary>
    public required int TargetWeightBasisPoints { get; init; }

    /// <summary>The stage index after the decision (unchanged on hold and rollback).</summary>
    public required int TargetStageIndex { get; init; }

    public required DateTimeOffset WindowStart { get; init; }

    public required DateTimeOffset WindowEnd { get; init; }

    public long CanaryRequests { get; init; }

    public long StableRequests { get; init; }

    /// <summary>The evidence judged (429s, client cancels, tokens and feedback are reported from here).</summary>
    public required ArmEvidence CanaryEvidence { get; init; }

    public required ArmEvidence StableEvidence { get; init; }

    /// <summary>The split of requests against the weight: reported; it gates only when the telemetry has no bucket sets.</summary>
    public SampleRatioMismatchResult? Split { get; init; }

    /// <summary>
    /// The split of the users' sticky buckets that sent requests against the weight (the randomization unit); null when the
    /// telemetry has no bucket sets. It is what the split check gates on.
    /// </summary>
    public BucketSplitResult? BucketSplit { get; init; }

    /// <summary>
    /// Buckets that sent requests to the arm their bucket does not belong to at the current weight (sidecars that held
    /// another weight inside the window); 0 on a clean split.
    /// </summary>
    public int MisassignedBuckets { get; init; }

    /// <summary>True when this look held because the split of buckets (or of requests, without bucket sets) mismatched.</summary>
    public bool SplitMismatch { get; init; }

    /// <summary>G-test of the canary's finish-reason mix against stable's (reported, single look); null without finish reasons.</summary>
    public GTestResult? FinishReasonMix { get; init; }

    public IReadOnlyList<GuardEvidence> Guards { get; init; } = [];

    /// <summary>Per-test level of the rollback tests and the promotion level, as judged.</summary>
    public double RollbackAlphaPerTest { get; init; }

    public double PromotionAlpha { get; init; }

    /// <summary>On complete: when the stable version may be archived.</summary>
    public DateTimeOffset? ArchiveAt { get; init; }

    /// <summary>Sequential state to pass back at the next look (reset for a new stage after promotion).</summary>
    public required SequentialState State { get; init; }
}
