using System.Diagnostics.CodeAnalysis;
using Canary.Contracts.Telemetry;

namespace Canary.Sidecar.Telemetry;

/// <summary>
/// The <see cref="ArmTelemetry"/> of every (rollout route key, subset) arm this sidecar has routed. Arms are created
/// off the hot path by <see cref="EnsureArm"/> when a rollout table is applied; lookups read an immutable snapshot
/// and allocate nothing.
/// </summary>
/// <remarks>
/// Arms are never removed while the process runs: their cumulative counters and pending intervals must still be
/// flushed after a rollout leaves the table, and a removed-then-re-added rollout keeps its arm.
/// </remarks>
internal sealed class TelemetryRegistry
{
    private readonly Lock _writeLock = new();
    private volatile Snapshot _snapshot = new(new Dictionary<(string, string), ArmTelemetry>(), []);

    /// <summary>All arms, in creation order; an immutable array replaced when an arm is added.</summary>
    public IReadOnlyList<ArmTelemetry> Arms => _snapshot.Arms;

    /// <summary>Bytes of histogram slot counters held by all arms.</summary>
    public long HistogramBytes => _snapshot.Arms.Length * (TelemetryLayouts.BytesPerArm + TelemetryLayouts.StripeBytesPerArm(CoreStripes.Count));

    /// <summary>Returns the arm for (<paramref name="routeKey"/>, <paramref name="subset"/>), creating it if needed.</summary>
    public ArmTelemetry EnsureArm(string routeKey, string subset)
    {
        ArgumentNullException.ThrowIfNull(routeKey);
        ArgumentNullException.ThrowIfNull(subset);
        if (_snapshot.ByKey.TryGetValue((routeKey, subset), out var existing))
        {
            return existing;
        }

        lock (_writeLock)
        {
            var current = _snapshot;
            if (current.ByKey.TryGetValue((routeKey, subset), out existing))
            {
                return existing;
            }

            var arm = new ArmTelemetry(routeKey, subset);
            var byKey = new Dictionary<(string, string), ArmTelemetry>(current.ByKey) { [(routeKey, subset)] = arm };
            ArmTelemetry[] arms = [.. current.Arms, arm];
            _snapshot = new Snapshot(byKey, arms);
            return arm;
        }
    }

    public bool TryGetArm(string routeKey, string subset, [MaybeNullWhen(false)] out ArmTelemetry arm) =>
        _snapshot.ByKey.TryGetValue((routeKey, subset), out arm);

    // The dictionary is never written after publication, so concurrent readers are safe.
    private sealed record Snapshot(Dictionary<(string, string), ArmTelemetry> ByKey, ArmTelemetry[] Arms);
}
