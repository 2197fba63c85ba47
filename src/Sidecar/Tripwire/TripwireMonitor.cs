using Canary.Contracts.Rollouts;
using Canary.Contracts.Tripwire;
using Canary.Sidecar.Configuration;
using Canary.Sidecar.Model;

namespace Canary.Sidecar.Tripwire;

/// <summary>
/// The local tripwire: follows each routed exchange's outcome and, when a canary fails too often while stable is
/// healthy, rolls that canary back on this sidecar at once, without waiting for the analyzer.
/// </summary>
/// <remarks>
/// <para>Outcomes. A failure is a 5xx response, or an exchange whose stream ended (half-closed or reset) without
/// response headers: the user got no answer. 429 is not a failure unless <c>CountTooManyRequests</c> is set: it is
/// usually a per-user or per-tenant quota, and sticky cohorts make such quotas land unevenly on one arm (one heavy
/// user in a 5 % canary cohort is a large share of its traffic); capacity trouble of the canary's own pool shows as
/// 503. Everything else, including responses without a readable status, is a success.</para>
/// <para>Rule. Per cohort, each arm keeps its last N outcomes (<c>WindowRequests</c>, default 200). The canary trips
/// when its failures in that window exceed <c>ErrorRateThreshold</c> × N (default 20 % of 200: the 41st failure).
/// The denominator is N even while the window is still filling, so a broken canary trips after ⌊bound × N⌋ + 1
/// failures, within its first N requests, and a young window never trips on a handful of early errors. Stable is
/// healthy unless it has at least N / 10 outcomes and its own failure rate over them also exceeds the bound: that case
/// is a shared outage (the upstream or the mesh), which a canary rollback would not fix. With too little stable data
/// (for example at 100 % canary) the canary's absolute rate alone decides: above the bound is bad whatever stable does.</para>
/// <para>Generations. A trip installs a copy of the table in force with that rollout <c>RolledBack</c>, keeping the
/// table's generation (<see cref="RolloutTableHolder.TryReplace"/>). Polls and pushes of that generation or older are
/// refused as usual, so they never undo the trip; the first newer table wins. If that table also rolls the rollout
/// back, the trip is marked confirmed; if it re-activates it, the trip is over and the cohort starts with empty
/// windows, so it trips again only on fresh evidence. The analyzer reads the trips through the control API.</para>
/// <para>Cost. Recording is two atomic operations on the exchange's thread and allocates nothing; the one outcome that
/// trips queues the table change to the thread pool.</para>
/// </remarks>
internal sealed class TripwireMonitor : IExchangeObserver
{
    private readonly RolloutTableHolder _tables;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;
    private readonly int _window;
    private readonly int _failureBound;
    private readonly int _minimumStable;
    private readonly double _threshold;
    private readonly bool _countTooManyRequests;
    private readonly Action<RolloutTripwire> _applyTrip;
    private readonly Lock _stateLock = new();
    private TripwireMap _map = TripwireMap.Empty;
    private long _trips;

    public TripwireMonitor(TripwireOptions options, RolloutTableHolder tables, TimeProvider timeProvider, ILogger<TripwireMonitor> logger)
        : this(options, tables, timeProvider, (ILogger)logger, inline: false)
    {
    }

    /// <summary>With <paramref name="inline"/>, trips are applied on the recording thread (tests) instead of queued.</summary>
    internal TripwireMonitor(TripwireOptions options, RolloutTableHolder tables, TimeProvider timeProvider, ILogger logger, bool inline)
    {
        Enabled = options.Enabled;
        _tables = tables;
        _timeProvider = timeProvider;
        _logger = logger;
        _window = options.WindowRequests;
        _threshold = options.ErrorRateThreshold;
        _failureBound = (int)Math.Floor(options.ErrorRateThreshold * options.WindowRequests);
        _minimumStable = Math.Max(1, options.WindowRequests / 10);
        _countTooManyRequests = options.CountTooManyRequests;
        Inline = inline;
        _applyTrip = ApplyTrip;
        if (Enabled)
        {
            tables.Applied += _ => Refresh();
            Refresh();
        }
    }

    public bool Enabled { get; }

    public int WindowRequests => _window;

    /// <summary>Failures in a canary window above this many trip it.</summary>
    public int FailureBound => _failureBound;

    internal bool Inline { get; }

    /// <summary>Trips applied since start.</summary>
    public long Trips => Volatile.Read(ref _trips);

    internal TripwireMap Map => Volatile.Read(ref _map);

    public void OnResponseHeaders(ref ExchangeState state)
    {
        var status = state.Status;
        Record(state.Route!, state.IsCanary, status is >= 500 and <= 599 || (status == 429 && _countTooManyRequests));
    }

    /// <summary>Bodies say nothing about errors the tripwire counts; the status and the stream end do.</summary>
    public void OnResponseBody(ref ExchangeState state, ReadOnlySpan<byte> chunk, bool endOfStream)
    {
    }

    public void OnExchangeEnd(ref ExchangeState state, bool cancelled)
    {
        if (!state.SawResponseHeaders)
        {
            Record(state.Route!, state.IsCanary, failure: true);
        }
    }

    /// <summary>Trips in force (applied, and not overridden by a newer table), for the control API and /metrics.</summary>
    public List<TripRecord> ActiveTrips()
    {
        var trips = new List<TripRecord>();
        foreach (var wire in Map.ByIndex)
        {
            if (wire.Record is { } record)
            {
                trips.Add(record);
            }
        }

        return trips;
    }

    /// <summary>Records one outcome; the outcome that passes the bound while stable is healthy trips the cohort.</summary>
    internal void Record(RolloutModel route, bool canary, bool failure)
    {
        if (route.RolledBack)
        {
            return;
        }

        var wire = Volatile.Read(ref _map).Find(route);
        if (wire is null)
        {
            return;
        }

        if (!canary)
        {
            wire.Stable.Record(failure);
            return;
        }

        var failures = wire.Canary.Record(failure);
        if (!failure || failures <= _failureBound || wire.IsTripped)
        {
            return;
        }

        var stableCount = wire.Stable.Count;
        var stableFailures = wire.Stable.Failures;
        if (stableCount >= _minimumStable && stableFailures > _threshold * stableCount)
        {
            wire.CountSuppressedByStable();
            return;
        }

        if (!wire.TryMarkTripped(failures, wire.Canary.Count, stableFailures, stableCount))
        {
            return;
        }

        if (Inline)
        {
            ApplyTrip(wire);
        }
        else
        {
            ThreadPool.UnsafeQueueUserWorkItem(_applyTrip, wire, preferLocal: false);
        }
    }

    /// <summary>
    /// Installs the table in force with the cohort rolled back, keeping its generation; retries if another table
    /// arrived meanwhile, and gives up if the table in force no longer runs this cohort or already rolls it back.
    /// </summary>
    private void ApplyTrip(RolloutTripwire wire)
    {
        try
        {
            // Under the state lock, so that Refresh (also called from inside TryReplace, on this thread) sees the
            // record as soon as the table is in force, and a newer table's Refresh cannot interleave.
            lock (_stateLock)
            {
                while (true)
                {
                    var current = _tables.Current;
                    var route = current.FindByKey(wire.RouteKey);
                    if (route is null || route.RolledBack || route.Definition.CanarySubset != wire.CanarySubset || route.Definition.Salt != wire.Salt)
                    {
                        wire.Abandoned = true;
                        TripwireLog.Abandoned(_logger, wire.RouteKey, current.Generation);
                        return;
                    }

                    var rollouts = new RolloutDefinition[current.Table.Rollouts.Count];
                    for (var i = 0; i < rollouts.Length; i++)
                    {
                        var definition = current.Table.Rollouts[i];
                        rollouts[i] = definition.RouteKey == wire.RouteKey ? definition with { State = RolloutState.RolledBack } : definition;
                    }

                    var table = current.Table with { Rollouts = rollouts };
                    var reason = $"canary failed {wire.CanaryFailuresAtTrip} of its last {wire.CanaryCountAtTrip} requests "
                        + $"(bound: more than {_failureBound} of {_window}, {_threshold:P0}); stable failed {wire.StableFailuresAtTrip} of {wire.StableCountAtTrip}";
                    wire.Record = new TripRecord
                    {
                        RouteKey = wire.RouteKey,
                        TrippedAt = _timeProvider.GetUtcNow(),
                        Reason = reason,
                        CanaryFailures = wire.CanaryFailuresAtTrip,
                        CanaryRequests = wire.CanaryCountAtTrip,
                        StableFailures = wire.StableFailuresAtTrip,
                        StableRequests = wire.StableCountAtTrip,
                        Generation = current.Generation,
                    };
                    if (_tables.TryReplace(current, _tables.Build(table, current, TableSource.Tripwire)))
                    {
                        Interlocked.Increment(ref _trips);
                        TripwireLog.Tripped(_logger, wire.RouteKey, wire.CanarySubset, current.Generation, reason);
                        return;
                    }

                    wire.Record = null;
                }
            }
        }
        catch (Exception e)
        {
            TripwireLog.Failed(_logger, wire.RouteKey, e);
        }
    }

    /// <summary>
    /// Rebuilds the map for the table in force: a cohort keeps its windows across tables; a trip that a newer table
    /// also rolls back is confirmed, and one that a newer table re-activates is over (fresh windows).
    /// </summary>
    private void Refresh()
    {
        lock (_stateLock)
        {
            var snapshot = _tables.Current;
            var old = _map;
            if (ReferenceEquals(old.Snapshot, snapshot))
            {
                return;
            }

            var routes = snapshot.Routes;
            var byIndex = new RolloutTripwire[routes.Length];
            var byKey = new Dictionary<string, RolloutTripwire>(routes.Length, StringComparer.Ordinal);
            for (var i = 0; i < routes.Length; i++)
            {
                var definition = routes[i].Definition;
                var wire = old.ByKey.GetValueOrDefault(definition.RouteKey);
                if (wire is null || wire.Abandoned || wire.CanarySubset != definition.CanarySubset || wire.Salt != definition.Salt)
                {
                    wire = new RolloutTripwire(definition.RouteKey, definition.CanarySubset, definition.Salt, _window);
                }
                else if (wire.Record is { } record)
                {
                    if (definition.State != RolloutState.RolledBack)
                    {
                        TripwireLog.Overridden(_logger, definition.RouteKey, snapshot.Generation, record.Generation);
                        wire = new RolloutTripwire(definition.RouteKey, definition.CanarySubset, definition.Salt, _window);
                    }
                    else if (!record.Confirmed && snapshot.Generation > record.Generation)
                    {
                        wire.Record = record with { Confirmed = true };
                    }
                }

                byIndex[i] = wire;
                byKey[definition.RouteKey] = wire;
            }

            Volatile.Write(ref _map, new TripwireMap(snapshot, routes, byIndex, byKey));
        }
    }
}
