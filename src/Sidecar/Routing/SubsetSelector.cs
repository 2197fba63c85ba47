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
