using Canary.Contracts.Rollouts;
using Canary.Sidecar.Configuration;
using Canary.Sidecar.Model;
using Canary.Sidecar.Tripwire;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Canary.Sidecar.UnitTests.Tripwire;

public sealed class TripwireMonitorTests
{
    private const string RouteKey = "chat";

    private readonly RolloutTableHolder _tables = new(new RoutingSettings(new RoutingOptions()), new FakeTimeProvider());
    private readonly TripwireMonitor _monitor;

    public TripwireMonitorTests()
    {
        _tables.TryApply(Table(10, RolloutState.Active), out _, source: TableSource.Push);
        _monitor = new TripwireMonitor(new TripwireOptions(), _tables, new FakeTimeProvider(), NullLogger.Instance, inline: true);
    }

    private static RolloutTable Table(long generation, RolloutState state, string salt = "s1") => new()
    {
        Generation = generation,
        Rollouts =
        [
            new RolloutDefinition { RouteKey = RouteKey, StableSubset = "v1", CanarySubset = "v2", CanaryWeightBasisPoints = 500, Salt = salt, State = state },
            new RolloutDefinition { RouteKey = "other", StableSubset = "v1", CanarySubset = "v2", CanaryWeightBasisPoints = 500, Salt = "o" },
        ],
    };

    private RolloutModel Route => _tables.Current.FindByKey(RouteKey)!;

    private void Respond(bool canary, int status)
    {
        var state = new ExchangeState { Route = Route, IsCanary = canary, SawRequestHeaders = true, SawResponseHeaders = true, Status = status };
        _monitor.OnResponseHeaders(ref state);
        _monitor.OnExchangeEnd(ref state, cancelled: false);
    }

    [Fact]
    public void Record_CanaryAllFailing_TripsAtFirstFailureAboveBoundWithinWindow()
    {
        var requests = 0;
        while (!Route.RolledBack)
        {
            Respond(canary: true, status: 503);
            requests++;
            Assert.True(requests <= 200, "did not trip within the window");
        }

        // 20 % of 200 is 40 failures; the 41st passes the bound.
        Assert.Equal(41, requests);
        Assert.Equal(10, _tables.Current.Generation);
        Assert.Equal(TableSource.Tripwire, _tables.Current.Source);
        Assert.False(_tables.Current.FindByKey("other")!.RolledBack);
        var trip = Assert.Single(_monitor.ActiveTrips());
        Assert.Equal(RouteKey, trip.RouteKey);
        Assert.Equal(41, trip.CanaryFailures);
        Assert.Equal(10, trip.Generation);
        Assert.Contains("canary failed 41 of its last 41 requests", trip.Reason, StringComparison.Ordinal);
        Assert.Equal(1, _monitor.Trips);
    }

    [Fact]
    public void Record_StreamEndedWithoutResponse_CountsAsFailure()
    {
        for (var i = 0; i < 41; i++)
        {
            var state = new ExchangeState { Route = Route, IsCanary = true, SawRequestHeaders = true };
            _monitor.OnExchangeEnd(ref state, cancelled: i % 2 == 0);
        }

        Assert.True(Route.RolledBack);
    }

    [Fact]
    public void Record_TooManyRequestsByDefault_NotAFailure()
    {
        for (var i = 0; i < 500; i++)
        {
            Respond(canary: true, status: 429);
        }

        Assert.False(Route.RolledBack);
        Assert.Empty(_monitor.ActiveTrips());
    }

    [Fact]
    public void Record_BothArmsAtOnePercentErrorsFor100000Requests_NeverTrips()
    {
        var random = new Random(20261126);
        for (var i = 0; i < 100_000; i++)
        {
            Respond(canary: random.Next(2) == 0, status: random.NextDouble() < 0.01 ? 503 : 200);
        }

        Assert.False(Route.RolledBack);
        Assert.Equal(0, _monitor.Trips);
        var wire = _monitor.Map.ByKey[RouteKey];
        Assert.Equal(200, wire.Canary.Count);
        Assert.True(wire.Canary.Failures < 10);
    }

    [Fact]
    public void Record_StableFailingToo_SuppressedAsSharedOutage()
    {
        for (var i = 0; i < 100; i++)
        {
            Respond(canary: false, status: 503);
        }

        for (var i = 0; i < 200; i++)
        {
            Respond(canary: true, status: 503);
        }

        Assert.False(Route.RolledBack);
        Assert.True(_monitor.Map.ByKey[RouteKey].SuppressedByStable > 0);

        // Stable recovers: the next canary failure trips.
        for (var i = 0; i < 200; i++)
        {
            Respond(canary: false, status: 200);
        }

        Respond(canary: true, status: 503);
        Assert.True(Route.RolledBack);
    }

    [Fact]
    public void Trip_OlderOrEqualTableLater_StillRolledBack()
    {
        Trip();
        Assert.False(_tables.TryApply(Table(10, RolloutState.Active), out _, source: TableSource.Database));
        Assert.False(_tables.TryApply(Table(9, RolloutState.Active), out _, source: TableSource.Push));
        Assert.True(Route.RolledBack);
    }

    [Fact]
    public void Trip_NewerTableRollsBackToo_Confirmed()
    {
        Trip();
        Assert.True(_tables.TryApply(Table(11, RolloutState.RolledBack), out _, source: TableSource.Push));
        var trip = Assert.Single(_monitor.ActiveTrips());
        Assert.True(trip.Confirmed);
        Assert.Equal(10, trip.Generation);
    }

    [Fact]
    public void Trip_NewerTableReactivates_TripOverAndFreshWindows()
    {
        Trip();
        Assert.True(_tables.TryApply(Table(11, RolloutState.Active), out _, source: TableSource.Push));

        Assert.False(Route.RolledBack);
        Assert.Empty(_monitor.ActiveTrips());
        Assert.Equal(0, _monitor.Map.ByKey[RouteKey].Canary.Count);
        for (var i = 0; i < 40; i++)
        {
            Respond(canary: true, status: 500);
        }

        Assert.False(Route.RolledBack);
        Respond(canary: true, status: 500);
        Assert.True(Route.RolledBack);
        Assert.Equal(11, _tables.Current.Generation);
    }

    [Fact]
    public void Record_ExchangeFromEarlierSnapshot_CountedForSameCohort()
    {
        var oldRoute = Route;
        _tables.TryApply(Table(11, RolloutState.Active), out _, source: TableSource.Push);
        Assert.NotSame(oldRoute, Route);
        var state = new ExchangeState { Route = oldRoute, IsCanary = true, SawResponseHeaders = true, Status = 502 };
        _monitor.OnResponseHeaders(ref state);
        Assert.Equal(1, _monitor.Map.ByKey[RouteKey].Canary.Failures);
    }

    [Fact]
    public void Record_NewSalt_StartsFreshWindows()
    {
        for (var i = 0; i < 30; i++)
        {
            Respond(canary: true, status: 503);
        }

        _tables.TryApply(Table(11, RolloutState.Active, salt: "s2"), out _, source: TableSource.Push);
        Assert.Equal(0, _monitor.Map.ByKey[RouteKey].Canary.Failures);
    }

    [Fact]
    public void Record_Disabled_NeverTrips()
    {
        var tables = new RolloutTableHolder(new RoutingSettings(new RoutingOptions()), new FakeTimeProvider());
        tables.TryApply(Table(1, RolloutState.Active), out _, source: TableSource.Push);
        var monitor = new TripwireMonitor(new TripwireOptions { Enabled = false }, tables, new FakeTimeProvider(), NullLogger.Instance, inline: true);
        for (var i = 0; i < 500; i++)
        {
            var state = new ExchangeState { Route = tables.Current.Routes[0], IsCanary = true, SawResponseHeaders = true, Status = 500 };
            monitor.OnResponseHeaders(ref state);
        }

        Assert.False(tables.Current.Routes[0].RolledBack);
    }

    [Fact]
    public async Task OutcomeWindow_ConcurrentWriters_FailureCountEqualsSlots()
    {
        var window = new OutcomeWindow(64);
        var writers = Enumerable.Range(0, 4).Select(w => Task.Run(() =>
        {
            var random = new Random(w);
            for (var i = 0; i < 50_000; i++)
            {
                window.Record(random.Next(3) == 0);
            }
        }));
        await Task.WhenAll(writers);

        // After the last writer, the count is exact; a final pass of known outcomes shows it.
        for (var i = 0; i < 64; i++)
        {
            window.Record(i < 10);
        }

        Assert.Equal(10, window.Failures);
        Assert.Equal(64, window.Count);
    }

    private void Trip()
    {
        for (var i = 0; i < 41; i++)
        {
            Respond(canary: true, status: 503);
        }

        Assert.True(Route.RolledBack);
    }
}
