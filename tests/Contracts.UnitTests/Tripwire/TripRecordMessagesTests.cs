using Canary.Contracts.Tripwire;
using Canary.Contracts.V1;

namespace Canary.Contracts.UnitTests.Tripwire;

public sealed class TripRecordMessagesTests
{
    [Fact]
    public void FromMessage_MessageOfATrip_EveryFieldBack()
    {
        var trip = new TripRecord
        {
            RouteKey = "chat.example.internal",
            TrippedAt = new DateTimeOffset(2026, 12, 6, 4, 5, 6, 789, TimeSpan.Zero),
            Reason = "canary failed 41 of its last 200 requests",
            CanaryFailures = 41,
            CanaryRequests = 200,
            StableFailures = 2,
            StableRequests = 180,
            Generation = 7,
            Confirmed = true,
        };

        Assert.Equal(trip, TripRecordMessages.FromMessage(TripRecordMessages.ToMessage(trip)));
    }

    [Fact]
    public void FromMessage_NoTime_UnixEpoch() =>
        Assert.Equal(DateTimeOffset.UnixEpoch, TripRecordMessages.FromMessage(new TripwireTrip { RouteKey = "chat" }).TrippedAt);
}
