using Canary.Sidecar.ModelRewrite;

namespace Canary.Sidecar.Routing;

/// <summary>
/// Assignment counters of one rollout. Owned by the route key, not by a table: a new table for the same rollout keeps
/// counting into the same instance. Incremented with <see cref="Interlocked"/>; read for /metrics.
/// </summary>
internal sealed class RolloutCounters
{
    private long _stable;
    private long _canary;
    private readonly long[] _byReason = new long[Enum.GetValues<AssignmentReason>().Length];

    // Model-rewrite outcomes, per result and per assigned arm (index = result * 2 + (canary ? 1 : 0)).
    private readonly long[] _rewrites = new long[Enum.GetValues<ModelRewriteResult>().Length * 2];

    public long Stable => Volatile.Read(ref _stable);

    public long Canary => Volatile.Read(ref _canary);

    public long ByReason(AssignmentReason reason) => Volatile.Read(ref _byReason[(int)reason]);

    public long Rewrites(ModelRewriteResult result, bool canaryArm) => Volatile.Read(ref _rewrites[((int)result * 2) + (canaryArm ? 1 : 0)]);

    public void CountRewrite(ModelRewriteResult result, bool canaryArm) => Interlocked.Increment(ref _rewrites[((int)result * 2) + (canaryArm ? 1 : 0)]);

    public void Count(bool canary, AssignmentReason reason)
    {
        if (canary)
        {
            Interlocked.Increment(ref _canary);
        }
        else
        {
            Interlocked.Increment(ref _stable);
        }

        Interlocked.Increment(ref _byReason[(int)reason]);
    }
}
