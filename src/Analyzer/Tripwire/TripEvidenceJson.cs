namespace Canary.Analyzer.Tripwire;

/// <summary>The evidence a sidecar's tripwire acted on, as a trip's decision record stores it (<c>evidence_json.tripwire</c>).</summary>
internal sealed record TripEvidenceJson(
    string Sidecar,
    string SidecarId,
    string Endpoint,
    string TrippedAt,
    long Generation,
    int CanaryFailures,
    int CanaryRequests,
    int StableFailures,
    int StableRequests,
    bool Confirmed,
    string SidecarReason);
