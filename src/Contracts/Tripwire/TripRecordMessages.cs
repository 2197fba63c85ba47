using Canary.Contracts.V1;
using Google.Protobuf.WellKnownTypes;

namespace Canary.Contracts.Tripwire;

/// <summary>
/// A <see cref="TripRecord"/> and its control-API message (<see cref="TripwireTrip"/> in <c>GetTable</c>), both ways:
/// the sidecar reports its trips with one, the analyzer reads them back with the other, so a field added to the trip
/// cannot be carried one way and dropped the other.
/// </summary>
public static class TripRecordMessages
{
    public static TripwireTrip ToMessage(TripRecord trip)
    {
        ArgumentNullException.ThrowIfNull(trip);
        return new TripwireTrip
        {
            RouteKey = trip.RouteKey,
            TrippedAt = Timestamp.FromDateTimeOffset(trip.TrippedAt),
            Reason = trip.Reason,
            CanaryFailures = trip.CanaryFailures,
            CanaryRequests = trip.CanaryRequests,
            StableFailures = trip.StableFailures,
            StableRequests = trip.StableRequests,
            Generation = trip.Generation,
            Confirmed = trip.Confirmed,
        };
    }

    /// <summary>The trip a message reports; a message without a time reads as the Unix epoch.</summary>
    public static TripRecord FromMessage(TripwireTrip message)
    {
        ArgumentNullException.ThrowIfNull(message);
        return new TripRecord
        {
            RouteKey = message.RouteKey,
            TrippedAt = message.TrippedAt?.ToDateTimeOffset() ?? DateTimeOffset.UnixEpoch,
            Reason = message.Reason,
            CanaryFailures = message.CanaryFailures,
            CanaryRequests = message.CanaryRequests,
            StableFailures = message.StableFailures,
            StableRequests = message.StableRequests,
            Generation = message.Generation,
            Confirmed = message.Confirmed,
        };
    }
}
