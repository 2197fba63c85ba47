namespace Canary.Analyzer.Tripwire;

/// <summary>The whole <c>evidence_json</c> of a trip's decision record: <c>{"tripwire": {...}}</c>.</summary>
internal sealed record TripRecordJson(TripEvidenceJson Tripwire);
