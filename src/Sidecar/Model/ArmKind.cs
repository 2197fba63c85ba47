namespace Canary.Sidecar.Model;

/// <summary>
/// Which of a rollout's telemetry arms a request is recorded in. Only <see cref="Stable"/> and <see cref="Canary"/> are
/// the comparison; every other kind is an off-comparison arm (<c>OffComparisonArm</c> in the contracts names them).
/// </summary>
internal enum ArmKind : byte
{
    /// <summary>Sampled users served by stable (sticky draw, or everyone once rolled back).</summary>
    Stable,

    /// <summary>Sampled users served by the canary.</summary>
    Canary,

    /// <summary>Forced users and opt-in requests on the canary: <c>&lt;canary&gt;:testers</c>.</summary>
    Testers,

    /// <summary>Excluded users and tenants: <c>&lt;stable&gt;:excluded</c>.</summary>
    Excluded,

    /// <summary>Requests without a user key served by stable: <c>&lt;stable&gt;:nokey</c>.</summary>
    StableNoKey,

    /// <summary>Requests without a user key served by the canary: <c>&lt;canary&gt;:nokey</c>.</summary>
    CanaryNoKey,

    /// <summary>Model-rewrite rollouts: requests the rewrite did not apply to, served by stable: <c>&lt;stable&gt;:unrewritten</c>.</summary>
    Unrewritten,

    /// <summary>Feedback calls served by stable: <c>&lt;stable&gt;:feedback</c>.</summary>
    StableFeedback,

    /// <summary>Feedback calls served by the canary: <c>&lt;canary&gt;:feedback</c>.</summary>
    CanaryFeedback,
}
