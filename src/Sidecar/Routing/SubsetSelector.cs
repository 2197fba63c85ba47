using Canary.Sidecar.Model;

namespace Canary.Sidecar.Routing;

/// <summary>
/// Chooses stable or canary for one request of a rollout. Order of precedence: rolled back ⇒ stable; excluded user or
/// tenant ⇒ stable; forced user or opt-in ⇒ canary; otherwise the sticky bucket of the user key, or a per-request
/// choice when the request has no user key. Pure apart from the injected random source; allocation-free.
/// </summary>
/// <remarks>
/// The bucket it hashed comes back too, for telemetry's user groups: for the sticky draw, and on a rolled-back rollout
/// (everyone is then in the stable arm, and its groups must still add up). Excluded users, testers and requests without
/// a user key are recorded outside the comparison, so their key is not hashed for it.
/// </remarks>
internal sealed class SubsetSelector
{
    private readonly IRequestRandom _random;

    public SubsetSelector(IRequestRandom random) => _random = random;

    /// <summary>
    /// The decision every front end makes once it has found the request's rollout: picks the subset
    /// (<see cref="IsCanary(RolloutModel, ReadOnlySpan{byte}, ReadOnlySpan{byte}, ulong, out AssignmentReason, out int)"/>),
    /// counts the assignment and any feedback rating, and records in <paramref name="state"/> the rollout, the reason,
    /// the user's sticky bucket and the arm the exchange is recorded in. A model-rewrite rollout's request stays stable
    /// and unrewritten until its body is rewritten (<see cref="ModelRewrite.ModelRewriteOutcome"/>); <see cref="ExchangeState.RewriteToCanary"/>
    /// holds the assignment. Returns the assignment.
    /// </summary>
    public bool Assign(RolloutModel route, in RequestFacts facts, ref ExchangeState state)
    {
        var canary = IsCanary(route, facts.UserKey, facts.Tenant, facts.OptInMask, out var reason, out var bucket);
        route.Counters.Count(canary, reason);
        if (facts.IsFeedbackPath && facts.Feedback != 0)
        {
            // Sticky assignment makes the user's current arm the arm that served them: no request ids needed.
            route.Arms.Get(ArmKinds.For(canary, reason, feedback: false, unrewritten: false))?.CountFeedback(facts.Feedback > 0, bucket);
        }

        state.Route = route;
        state.Reason = reason;
        state.Bucket = bucket;
        state.IsFeedback = facts.IsFeedbackPath;
        if (route.IsModelRewrite)
        {
            state.IsCanary = false;
            state.RewriteToCanary = canary;
            state.Arm = ArmKinds.For(canary: false, reason, facts.IsFeedbackPath, unrewritten: true);
        }
        else
        {
            state.IsCanary = canary;
            state.Arm = ArmKinds.For(canary, reason, facts.IsFeedbackPath, unrewritten: false);
        }

        return canary;
    }

    public bool IsCanary(RolloutModel route, ReadOnlySpan<byte> userKey, ReadOnlySpan<byte> tenant, ulong optInMask, out AssignmentReason reason) =>
        IsCanary(route, userKey, tenant, optInMask, out reason, out _);

    /// <summary>As <see cref="IsCanary(RolloutModel, ReadOnlySpan{byte}, ReadOnlySpan{byte}, ulong, out AssignmentReason)"/>;
    /// <paramref name="bucket"/> is the user's sticky bucket when it was hashed, else <see cref="StickyBucket.None"/>.</summary>
    public bool IsCanary(RolloutModel route, ReadOnlySpan<byte> userKey, ReadOnlySpan<byte> tenant, ulong optInMask, out AssignmentReason reason, out int bucket)
    {
        var hasUser = !userKey.IsEmpty;
        bucket = StickyBucket.None;
        if (route.RolledBack)
        {
            reason = AssignmentReason.RolledBack;
            if (hasUser)
            {
                bucket = StickyBucket.Compute(route.Salt, userKey);
            }

            return false;
        }

        if (hasUser && route.ExcludedUsers.Contains(userKey))
        {
            reason = AssignmentReason.ExcludedUser;
            return false;
        }

        if (!tenant.IsEmpty && route.ExcludedTenants.Contains(tenant))
        {
            reason = AssignmentReason.ExcludedTenant;
            return false;
        }

        if (hasUser && route.ForcedCanaryUsers.Contains(userKey))
        {
            reason = AssignmentReason.Forced;
            return true;
        }

        if (route.OptInHeaderIndex >= 0 && (optInMask & (1UL << route.OptInHeaderIndex)) != 0)
        {
            reason = AssignmentReason.OptIn;
            return true;
        }

        if (hasUser)
        {
            reason = AssignmentReason.Sticky;
            bucket = StickyBucket.Compute(route.Salt, userKey);
            return bucket < route.WeightBasisPoints;
        }

        reason = AssignmentReason.NoUserKey;
        return route.WeightBasisPoints > 0 && _random.NextBucket() < route.WeightBasisPoints;
    }
}
