namespace Canary.Contracts.Tripwire;

/// <summary>
/// One rollback a sidecar's tripwire applied: when, why, the window's evidence (canary and stable failures of their last
/// requests), on which generation, and whether a newer table confirmed it. The sidecar keeps it and reports it through
/// <c>GetTable</c>; the analyzer reads it back as an observed trip (which adds where it was seen), so both programs
/// hold the same facts in one type.
/// </summary>
public record TripRecord
{
    public required string RouteKey { get; init; }

    public required DateTimeOffset TrippedAt { get; init; }

    /// <summary>The sidecar's own sentence, as it logged it.</summary>
    public required string Reason { get; init; }

    public required int CanaryFailures { get; init; }

    public required int CanaryRequests { get; init; }

    public required int StableFailures { get; init; }

    public required int StableRequests { get; init; }

    /// <summary>Generation of the table the trip rolled back; the sidecar keeps it, so only a newer table replaces the trip.</summary>
    public required long Generation { get; init; }

    /// <summary>Set when a newer table also has the rollout rolled back.</summary>
    public bool Confirmed { get; init; }
}
