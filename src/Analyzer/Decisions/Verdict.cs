namespace Canary.Analyzer.Decisions;

/// <summary>What the engine decides for one rollout at one look.</summary>
internal enum Verdict
{
    /// <summary>Not enough evidence yet, stage time not served, warming up or split mismatch: keep the current weight.</summary>
    Hold,

    /// <summary>A guard metric is significantly worse: weight 0, state rolled back.</summary>
    Rollback,

    /// <summary>Move to the next stage after the stage's minimum duration and samples.</summary>
    Promote,

    /// <summary>Move to the next stage now, skipping the rest of the stage time: the canary is clearly better.</summary>
    Accelerate,

    /// <summary>The canary serves 100 %; the stable version stays deployable until the archive date.</summary>
    Complete,
}
