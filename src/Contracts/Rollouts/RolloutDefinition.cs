namespace Canary.Contracts.Rollouts;

/// <summary>
/// One rollout: which requests it covers (the route key), its two subsets, how many users the canary gets and who is
/// forced in or kept out. Immutable; a change produces a new table with a higher generation.
/// </summary>
public sealed record RolloutDefinition
{
    /// <summary>Weights are in basis points: 10 000 is everyone.</summary>
    public const int MaxWeightBasisPoints = 10_000;

    /// <summary>Value of the route-key header (for example the model name, or <c>:authority</c>) this rollout covers.</summary>
    public required string RouteKey { get; init; }

    public required string StableSubset { get; init; }

    public required string CanarySubset { get; init; }

    /// <summary>Share of user buckets on the canary, 0..10 000.</summary>
    public int CanaryWeightBasisPoints { get; init; }

    /// <summary>Mixed into the user hash, so a new salt draws a fresh cohort.</summary>
    public required string Salt { get; init; }

    public RolloutState State { get; init; } = RolloutState.Active;

    /// <summary>User keys that always get the canary (internal testers), even at weight 0, unless rolled back.</summary>
    public IReadOnlyList<string> ForcedCanaryUsers { get; init; } = [];

    /// <summary>Request header that opts a request into the canary when its value is not empty, "0" or "false".</summary>
    public string? OptInHeader { get; init; }

    /// <summary>User keys that never get the canary; wins over forcing and opting in.</summary>
    public IReadOnlyList<string> ExcludedUsers { get; init; } = [];

    /// <summary>Tenants (values of the configured tenant header) that never get the canary.</summary>
    public IReadOnlyList<string> ExcludedTenants { get; init; } = [];

    /// <summary>
    /// Model-rewrite mode (API models at one provider): the model name requests ask for on the stable arm. With
    /// <see cref="CanaryModel"/> set, canary requests get their JSON body's top-level <c>"model"</c> rewritten to it.
    /// </summary>
    public string? StableModel { get; init; }

    /// <summary>The model name canary requests are rewritten to; null for header-only (subset) rollouts.</summary>
    public string? CanaryModel { get; init; }

    /// <summary>
    /// Share of the comparison's exchanges (stable and canary arms) whose request and answer are kept as quality samples
    /// for the judge, in basis points: 0 (the default) keeps none, 100 is 1 %. Requests outside the comparison (testers,
    /// excluded users, requests without a user key) are never sampled.
    /// </summary>
    public int QualitySampleBasisPoints { get; init; }

    public bool IsModelRewrite => StableModel is not null && CanaryModel is not null;

    /// <summary>The weight requests actually see: rolled-back rollouts route nobody to the canary.</summary>
    public int EffectiveWeightBasisPoints => State == RolloutState.RolledBack ? 0 : CanaryWeightBasisPoints;
}
