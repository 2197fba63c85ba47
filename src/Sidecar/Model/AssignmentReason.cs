namespace Canary.Sidecar.Model;

/// <summary>Why a request went to the subset it went to; counted per rollout and sent to Envoy as dynamic metadata.</summary>
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

    /// <summary>The user is excluded from the canary.</summary>
    ExcludedUser,

    /// <summary>The user's tenant is excluded from the canary.</summary>
    ExcludedTenant,

    /// <summary>The rollout is rolled back: everyone is on stable.</summary>
    RolledBack,
}
