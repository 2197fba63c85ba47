using Canary.Contracts.Tripwire;

namespace Canary.Sidecar.Tripwire;

/// <summary>
/// Tripwire state of one canary cohort (route key, canary subset and salt): the two arms' outcome windows and, once
/// it trips, what was seen. A new cohort (another canary subset or salt) or a newer table that re-activates the
/// canary starts a fresh instance, so old failures never count against a new canary.
/// </summary>
internal sealed class RolloutTripwire
{
    private int _tripped;
    private long _suppressedByStable;

    public RolloutTripwire(string routeKey, string canarySubset, string salt, int windowRequests)
    {
        RouteKey = routeKey;
        CanarySubset = canarySubset;
        Salt = salt;
        Canary = new OutcomeWindow(windowRequests);
        Stable = new OutcomeWindow(windowRequests);
    }

    public string RouteKey { get; }

    public string CanarySubset { get; }

    public string Salt { get; }

    public OutcomeWindow Canary { get; }

    public OutcomeWindow Stable { get; }

    /// <summary>Times the bound was passed while stable was unhealthy too, so the canary was not blamed.</summary>
    public long SuppressedByStable => Volatile.Read(ref _suppressedByStable);

    /// <summary>Set once, by the outcome that passed the bound; never cleared (a fresh instance replaces this one).</summary>
    public bool IsTripped => Volatile.Read(ref _tripped) == 1;

    /// <summary>Outcome counts captured by the tripping outcome (read later by the thread that applies the trip).</summary>
    public int CanaryFailuresAtTrip { get; private set; }

    public int CanaryCountAtTrip { get; private set; }

    public int StableFailuresAtTrip { get; private set; }

    public int StableCountAtTrip { get; private set; }

    /// <summary>Set when a decided trip found nothing to roll back (the table in force had moved on); Refresh replaces it.</summary>
    public bool Abandoned { get; set; }

    /// <summary>The applied trip; null while it is pending (decided, not yet applied) or when it was abandoned.</summary>
    public TripRecord? Record { get; set; }

    /// <summary>
    /// True for exactly one caller: the outcome that trips this cohort, which captures the counts it saw. The thread
    /// pool's queueing publishes them to the thread that applies the trip.
    /// </summary>
    public bool TryMarkTripped(int canaryFailures, int canaryCount, int stableFailures, int stableCount)
    {
        if (Interlocked.CompareExchange(ref _tripped, 1, 0) != 0)
        {
            return false;
        }

        CanaryFailuresAtTrip = canaryFailures;
        CanaryCountAtTrip = canaryCount;
        StableFailuresAtTrip = stableFailures;
        StableCountAtTrip = stableCount;
        return true;
    }

    public void CountSuppressedByStable() => Interlocked.Increment(ref _suppressedByStable);
}
