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

    public long Stable => Volatile.Read(ref _stable);

    public long Canary => Volatile.Read(ref _canary);

    public long ByReason(AssignmentReason reason) => Volatile.Read(ref _byReason[(int)reason]);

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
