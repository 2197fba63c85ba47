using Canary.Sidecar.ModelRewrite;

namespace Canary.Sidecar.Routing;

/// <summary>
/// Assignment counters of one rollout. Owned by the route key, not by a table: a new table for the same rollout keeps
/// counting into the same instance. Incremented with <see cref="Interlocked"/>; read for /metrics.
/// </summary>
internal sealed class RolloutCounters
{
    // One counter per (reason, subset), so a decision costs a single atomic add; totals are summed when read.
    private readonly long[] _byReasonAndSubset = new long[Enum.GetValues<AssignmentReason>().Length * 2];

    // Model-rewrite outcomes, per result and per assigned arm (index = result * 2 + (canary ? 1 : 0)).
    private readonly long[] _rewrites = new long[Enum.GetValues<ModelRewriteResult>().Length * 2];

    public long Stable => Sum(canary: false);

    public long Canary => Sum(canary: true);

    public long ByReason(AssignmentReason reason) =>
        Volatile.Read(ref _byReasonAndSubset[(int)reason * 2]) + Volatile.Read(ref _byReasonAndSubset[((int)reason * 2) + 1]);

    public long Rewrites(ModelRewriteResult result, bool canaryArm) => Volatile.Read(ref _rewrites[((int)result * 2) + (canaryArm ? 1 : 0)]);

    public void CountRewrite(ModelRewriteResult result, bool canaryArm) => Interlocked.Increment(ref _rewrites[((int)result * 2) + (canaryArm ? 1 : 0)]);

    public void Count(bool canary, AssignmentReason reason) =>
        Interlocked.Increment(ref _byReasonAndSubset[((int)reason * 2) + (canary ? 1 : 0)]);

    private long Sum(bool canary)
    {
        long total = 0;
        for (var i = canary ? 1 : 0; i < _byReasonAndSubset.Length; i += 2)
        {
            total += Volatile.Read(ref _byReasonAndSubset[i]);
        }

        return total;
    }
}
