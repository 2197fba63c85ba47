namespace Canary.Contracts.Rollouts;

/// <summary>
/// Trailers a sidecar sends with a FAILED_PRECONDITION refusal of a pushed table (its generation is not newer than
/// the one in force), so the analyzer can tell what the sidecar holds without a second call: a table from a file, a
/// cache or another writer at that generation is replaced by the same table under a higher one, while a tripwire's
/// rollback is left alone.
/// </summary>
public static class PushRefusalTrailers
{
    /// <summary>The generation in force on the sidecar.</summary>
    public const string AppliedGeneration = "canary-applied-generation";

    /// <summary>Where the table in force came from: none, file, push, database, cache or tripwire.</summary>
    public const string AppliedSource = "canary-applied-source";

    /// <summary>The source of a table the sidecar's own tripwire derived (a local rollback at the same generation).</summary>
    public const string TripwireSource = "tripwire";
}
