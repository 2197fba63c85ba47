using Canary.Contracts.Telemetry;

namespace Canary.Sidecar.Persistence;

/// <summary>One <c>interval_counters</c> row of a <see cref="TelemetryBatch"/>.</summary>
internal readonly record struct CounterRow(string Rollout, string Subset, TelemetryCounter Counter, long Value);
