using Canary.Sidecar.Model;
namespace Canary.Sidecar.Routing;

/// <summary>
/// Chooses stable or canary for one request of a rollout. Order of precedence: rolled back ⇒ stable; excluded user or
/// tenant ⇒ stable; forced user or opt-in ⇒ canary; otherwise the sticky bucket of the user key, or a per-request
/// choice when the request has no user key. Pure apart from the injected random source; allocation-free.
/// </summary>
internal sealed class SubsetSelector
{
    private readonly IRequestRandom _random;

    public SubsetSelector(IRequestRandom random) => _random = random;

    public bool IsCanary(RolloutModel route, ReadOnlySpan<byte> userKey, ReadOnlySpan<byte> tenant, ulong optInMask, out AssignmentReason reason)
    {
        if (route.RolledBack)
        {
            reason = AssignmentReason.RolledBack;
            return false;
        }

        var hasUser = !userKey.IsEmpty;
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
            return StickyBucket.Compute(route.Salt, userKey) < route.WeightBasisPoints;
        }

        reason = AssignmentReason.NoUserKey;
        return route.WeightBasisPoints > 0 && _random.NextBucket() < route.WeightBasisPoints;
    }
}
