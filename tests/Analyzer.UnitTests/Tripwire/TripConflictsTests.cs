using Canary.Analyzer.Discovery;
using Canary.Analyzer.Tripwire;
using Canary.Contracts.Rollouts;
using Canary.Contracts.Tripwire;

namespace Canary.Analyzer.UnitTests.Tripwire;

public sealed class TripConflictsTests
{
    private static readonly DateTimeOffset At = new(2026, 12, 6, 1, 2, 3, TimeSpan.Zero);

    private static ObservedTrip Trip(string route = "chat", bool confirmed = false, string salt = "s1", string canary = "canary") => new(
        new TripRecord
        {
            RouteKey = route,
            TrippedAt = At,
            Reason = "canary failed 41 of its last 200 requests",
            CanaryFailures = 41,
            CanaryRequests = 200,
            StableFailures = 2,
            StableRequests = 180,
            Generation = 7,
            Confirmed = confirmed,
        },
        new SidecarEndpoint("models/sidecar-a", "10.0.0.7", 50052),
        "sidecar-a")
    {
        CanarySubset = canary,
        Salt = salt,
    };

    private static RolloutTable Table(RolloutState state = RolloutState.Active, string salt = "s1") => new()
    {
        Generation = 8,
        Rollouts = [new RolloutDefinition { RouteKey = "chat", StableSubset = "stable", CanarySubset = "canary", Salt = salt, CanaryWeightBasisPoints = 1000, State = state }],
    };

    [Fact]
    public void Find_TableKeepsTheTrippedRolloutRunning_Conflict() =>
        Assert.Single(TripConflicts.Find(Table(), [Trip()]));

    [Fact]
    public void Find_TableRollsItBack_NoConflict() =>
        Assert.Empty(TripConflicts.Find(Table(RolloutState.RolledBack), [Trip()]));

    [Fact]
    public void Find_ConfirmedTrip_NoConflict() =>
        Assert.Empty(TripConflicts.Find(Table(), [Trip(confirmed: true)]));

    [Fact]
    public void Find_AnotherRolloutOnTheRoute_NoConflict() =>
        Assert.Empty(TripConflicts.Find(Table(salt: "s2"), [Trip()]));

    [Fact]
    public void Find_RolloutNotInTheTable_NoConflict() =>
        Assert.Empty(TripConflicts.Find(Table(), [Trip(route: "embeddings")]));

    [Fact]
    public void Reason_NamesSidecarWindowAndBothArms()
    {
        var reason = TripRecorder.Reason(Trip(), ["sidecar-b"]);

        Assert.Equal(
            "Rolled back by the tripwire of sidecar sidecar-a (10.0.0.7:50052) at 2026-12-06 01:02:03 UTC: in its window the canary failed 41 of its last 200 requests (20.5 %), stable 2 of 180 (1.1 %); table generation 7. It tripped on sidecar-b too.",
            reason);
    }

    [Fact]
    public void Evidence_StoredForm()
    {
        Assert.Equal(
            """{"tripwire":{"sidecar":"models/sidecar-a","sidecarId":"sidecar-a","endpoint":"10.0.0.7:50052","trippedAt":"2026-12-06T01:02:03.000000Z","generation":7,"canaryFailures":41,"canaryRequests":200,"stableFailures":2,"stableRequests":180,"confirmed":false,"sidecarReason":"canary failed 41 of its last 200 requests"}}""",
            TripRecorder.Evidence(Trip()));
    }
}
