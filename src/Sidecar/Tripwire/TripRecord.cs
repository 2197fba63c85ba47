namespace Canary.Sidecar.Tripwire;

/// <summary>One rollback the tripwire applied: when, why, on which generation, and whether a newer table confirmed it.</summary>
internal sealed record TripRecord
{
    public required string RouteKey { get; init; }

    public required DateTimeOffset TrippedAt { get; init; }

    public required string Reason { get; init; }

    public required int CanaryFailures { get; init; }

    public required int CanaryRequests { get; init; }

    public required int StableFailures { get; init; }

    public required int StableRequests { get; init; }

    /// <summary>Generation of the table the trip rolled back; the tripped table keeps it.</summary>
    public required long Generation { get; init; }

    /// <summary>Set when a newer table also has the rollout rolled back.</summary>
    public bool Confirmed { get; init; }
}
