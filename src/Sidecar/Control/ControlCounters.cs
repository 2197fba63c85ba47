namespace Canary.Sidecar.Control;

/// <summary>Counters of control calls and desired-table polls, read for /metrics.</summary>
internal sealed class ControlCounters
{
    private long _pushesApplied;
    private long _pushesUnauthenticated;
    private long _pushesInvalid;
    private long _pushesStale;
    private long _pollsSucceeded;
    private long _pollsFailed;

    public long PushesApplied => Volatile.Read(ref _pushesApplied);

    public long PushesUnauthenticated => Volatile.Read(ref _pushesUnauthenticated);

    public long PushesInvalid => Volatile.Read(ref _pushesInvalid);

    public long PushesStale => Volatile.Read(ref _pushesStale);

    public long PollsSucceeded => Volatile.Read(ref _pollsSucceeded);

    public long PollsFailed => Volatile.Read(ref _pollsFailed);

    public void PushApplied() => Interlocked.Increment(ref _pushesApplied);

    public void PushUnauthenticated() => Interlocked.Increment(ref _pushesUnauthenticated);

    public void PushInvalid() => Interlocked.Increment(ref _pushesInvalid);

    public void PushStale() => Interlocked.Increment(ref _pushesStale);

    public void PollSucceeded() => Interlocked.Increment(ref _pollsSucceeded);

    public void PollFailed() => Interlocked.Increment(ref _pollsFailed);
}
