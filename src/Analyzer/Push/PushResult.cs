using Canary.Analyzer.Discovery;

namespace Canary.Analyzer.Push;

/// <summary>What one sidecar answered to a push.</summary>
internal sealed record PushResult(SidecarEndpoint Sidecar, bool Acknowledged, long? AppliedGeneration, string? Error, TimeSpan Latency)
{
    /// <summary>
    /// Where the table the sidecar kept came from, when it refused the push as not newer (its generation is then in
    /// <see cref="AppliedGeneration"/>); null for any other answer.
    /// </summary>
    public string? RefusedBySource { get; init; }

    /// <summary>
    /// The sidecar's unconfirmed tripwire trips that the table would have undone: the push was withheld from it (nothing
    /// sent), so the trips can be recorded and the rollouts rolled back first. Empty for any other answer.
    /// </summary>
    public IReadOnlyList<Canary.Analyzer.Tripwire.ObservedTrip> Withheld { get; init; } = [];

    /// <summary>
    /// The sidecar refused because it holds this generation or a newer one with another table (from a file, a cache,
    /// another writer): the same table under a higher generation is what it takes. A tripwire's rollback is not one of
    /// these: the analyzer must not push over it.
    /// </summary>
    public bool HoldsClashingGeneration =>
        RefusedBySource is { } source && source != Canary.Contracts.Rollouts.PushRefusalTrailers.TripwireSource && AppliedGeneration is not null;
}
