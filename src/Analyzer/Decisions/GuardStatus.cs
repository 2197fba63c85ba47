namespace Canary.Analyzer.Decisions;

/// <summary>Outcome of one guard at one look.</summary>
internal enum GuardStatus
{
    /// <summary>No data for this metric in either arm (e.g. no streams): the guard does not apply.</summary>
    NotApplicable,

    /// <summary>Under the minimum samples per arm: no verdict from this guard.</summary>
    InsufficientSamples,

    /// <summary>Not yet shown within threshold, not shown worse.</summary>
    Inconclusive,

    /// <summary>Shown within threshold (non-inferior).</summary>
    WithinThreshold,

    /// <summary>Shown within threshold and clearly better than stable.</summary>
    ClearlyBetter,

    /// <summary>Significantly worse than stable and not shown within threshold, or significantly worse than the threshold.</summary>
    Worse,

    /// <summary>
    /// The samples come from users in too few groups to estimate a user-level variance (fewer than the minimum groups per
    /// arm): no verdict from this guard until more users arrive.
    /// </summary>
    InsufficientUsers,

    /// <summary>
    /// Quality guards: the judge's answers in the window are mostly unusable (more than half of the attempted judgements
    /// or paired comparisons failed or were unparseable). The guard holds: it neither passes nor fails, and its
    /// sequential state does not move.
    /// </summary>
    JudgeUnavailable,
}
