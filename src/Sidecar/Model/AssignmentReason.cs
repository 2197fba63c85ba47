namespace Canary.Sidecar.Model;

/// <summary>Why a request went to the subset it went to; counted per rollout.</summary>
internal enum AssignmentReason
{
    /// <summary>The user's sticky bucket against the weight.</summary>
    Sticky,

    /// <summary>No user key: a per-request choice at the same weight.</summary>
    NoUserKey,

    /// <summary>The user is on the forced-canary list.</summary>
    Forced,

    /// <summary>The request carried the rollout's opt-in header.</summary>
    OptIn,

    /// <summary>The user or tenant is excluded from the canary.</summary>
    Excluded,

    /// <summary>The rollout is rolled back: everyone is on stable.</summary>
    RolledBack,
}
