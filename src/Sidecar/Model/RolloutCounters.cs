using Canary.Sidecar.Telemetry.Recording;

namespace Canary.Sidecar.Model;

/// <summary>
/// Assignment counters of one rollout. Owned by the route key, not by a table: a new table for the same rollout keeps
/// counting into the same instance. Counted per core stripe (<see cref="StripedCounters"/>); read for /metrics.
/// </summary>
internal sealed class RolloutCounters
{
    // One counter per (reason, subset), so a decision costs a single atomic add; totals are summed when read.
    private readonly StripedCounters _byReasonAndSubset = new(AssignmentReasonNames.Count * 2);

    // Model-rewrite outcomes, per result and per assigned arm (index = result * 2 + (canary ? 1 : 0)).
    private readonly StripedCounters _rewrites = new(Enum.GetValues<ModelRewriteResult>().Length * 2);

    public long Stable => Sum(canary: false);

    public long Canary => Sum(canary: true);

    public long ByReason(AssignmentReason reason) =>
        _byReasonAndSubset.Read((int)reason * 2) + _byReasonAndSubset.Read(((int)reason * 2) + 1);

    public long Rewrites(ModelRewriteResult result, bool canaryArm) => _rewrites.Read(((int)result * 2) + (canaryArm ? 1 : 0));

    public void CountRewrite(ModelRewriteResult result, bool canaryArm) => _rewrites.Increment(((int)result * 2) + (canaryArm ? 1 : 0));

    public void Count(bool canary, AssignmentReason reason) =>
        _byReasonAndSubset.Increment(((int)reason * 2) + (canary ? 1 : 0));

    private long Sum(bool canary)
    {
        long total = 0;
        for (var i = canary ? 1 : 0; i < _byReasonAndSubset.Count; i += 2)
        {
            total += _byReasonAndSubset.Read(i);
        }

        return total;
    }
}
