using Canary.Contracts.Rollouts;
using Canary.Sidecar.Telemetry;

namespace Canary.Sidecar.Routing;

/// <summary>
/// Holds the current <see cref="RolloutTableSnapshot"/>. Readers call <see cref="Current"/> (a volatile read, no lock);
/// writers are serialized and only ever move the generation forward, so concurrent pushes converge on the highest one.
/// </summary>
internal sealed class RolloutTableHolder
{
    private readonly Lock _writeLock = new();
    private readonly TimeProvider _timeProvider;
    private readonly TelemetryRegistry? _telemetry;
    private RolloutTableSnapshot _current;

    public RolloutTableHolder(RoutingHeaders headers, TimeProvider timeProvider, TelemetryRegistry? telemetry = null)
    {
        Headers = headers;
        _timeProvider = timeProvider;
        _telemetry = telemetry;
        // No table yet: no rollout matches, so every request keeps its default (stable) route.
        _current = RolloutTableSnapshot.Build(RolloutTable.Empty, headers, null, timeProvider.GetUtcNow());
    }

    public RoutingHeaders Headers { get; }

    public RolloutTableSnapshot Current => Volatile.Read(ref _current);

    /// <summary>Raised after a table is applied, off the decision path (for logs and metrics).</summary>
    public event Action<RolloutTableSnapshot>? Applied;

    /// <summary>
    /// Applies <paramref name="table"/> if its generation is higher than the current one (or equal, when
    /// <paramref name="allowSameGeneration"/> is set for the very first load). Returns false and leaves everything
    /// unchanged otherwise; <paramref name="current"/> is the snapshot in force afterwards.
    /// </summary>
    public bool TryApply(RolloutTable table, out RolloutTableSnapshot current, bool allowSameGeneration = false)
    {
        RolloutTableSnapshot built;
        lock (_writeLock)
        {
            var existing = _current;
            var newer = table.Generation > existing.Generation || (allowSameGeneration && table.Generation == existing.Generation);
            if (!newer)
            {
                current = existing;
                return false;
            }

            built = RolloutTableSnapshot.Build(table, Headers, existing, _timeProvider.GetUtcNow(), _telemetry);
            Volatile.Write(ref _current, built);
        }

        current = built;
        Applied?.Invoke(built);
        return true;
    }
}
