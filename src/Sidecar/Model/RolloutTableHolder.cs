using Canary.Contracts.Rollouts;
using Canary.Sidecar.Telemetry.Recording;

namespace Canary.Sidecar.Model;

/// <summary>
/// Holds the current <see cref="RolloutTableModel"/>. Readers call <see cref="Current"/> (a volatile read, no lock);
/// writers are serialized and never move the generation backwards, so concurrent pushes converge on the highest one.
/// </summary>
/// <remarks>
/// Two ways in: <see cref="TryApply"/> for a table from outside (file, push, database, cache), which must carry a
/// higher generation; and <see cref="TryReplace"/> for a local change (the tripwire) derived from a snapshot, which
/// keeps that snapshot's generation and succeeds only if that snapshot is still current. A local change therefore
/// yields to any newer table and is never undone by an older or equal one.
/// </remarks>
internal sealed class RolloutTableHolder
{
    private readonly Lock _writeLock = new();
    private readonly TimeProvider _timeProvider;
    private readonly TelemetryRegistry? _telemetry;
    private RolloutTableModel _current;

    public RolloutTableHolder(RoutingSettings headers, TimeProvider timeProvider, TelemetryRegistry? telemetry = null)
    {
        Headers = headers;
        _timeProvider = timeProvider;
        _telemetry = telemetry;
        // No table yet: no rollout matches, so every request keeps its default (stable) route.
        _current = RolloutTableModel.Build(RolloutTable.Empty, headers, null, timeProvider.GetUtcNow(), TableSource.None);
    }

    public RoutingSettings Headers { get; }

    public RolloutTableModel Current => Volatile.Read(ref _current);

    /// <summary>
    /// Raised after a snapshot is installed, off the decision path (logs, metrics, cache file, tripwire). Raised on the
    /// writer's thread after the write lock is released, so two events can arrive out of order: handlers that need
    /// the latest state read <see cref="Current"/>.
    /// </summary>
    public event Action<RolloutTableModel>? Applied;

    /// <summary>
    /// Applies <paramref name="table"/> if its generation is higher than the current one (or equal, when
    /// <paramref name="allowSameGeneration"/> is set for the very first load). Returns false and leaves everything
    /// unchanged otherwise; <paramref name="current"/> is the snapshot in force afterwards.
    /// </summary>
    public bool TryApply(RolloutTable table, out RolloutTableModel current, bool allowSameGeneration = false, TableSource source = TableSource.File)
    {
        RolloutTableModel built;
        lock (_writeLock)
        {
            var existing = _current;
            var newer = table.Generation > existing.Generation || (allowSameGeneration && table.Generation == existing.Generation);
            if (!newer)
            {
                current = existing;
                return false;
            }

            built = RolloutTableModel.Build(table, Headers, existing, _timeProvider.GetUtcNow(), source, _telemetry);
            Volatile.Write(ref _current, built);
        }

        current = built;
        Applied?.Invoke(built);
        return true;
    }

    /// <summary>
    /// Installs <paramref name="replacement"/> only if <paramref name="expected"/> is still current and the generation
    /// does not go backwards (compare-and-swap under the write lock). The snapshot must be built from
    /// <paramref name="expected"/> so that counters carry over.
    /// </summary>
    public bool TryReplace(RolloutTableModel expected, RolloutTableModel replacement)
    {
        lock (_writeLock)
        {
            if (!ReferenceEquals(_current, expected) || replacement.Generation < expected.Generation)
            {
                return false;
            }

            Volatile.Write(ref _current, replacement);
        }

        Applied?.Invoke(replacement);
        return true;
    }

    /// <summary>Builds a snapshot of <paramref name="table"/> on top of <paramref name="previous"/>, stamped now.</summary>
    public RolloutTableModel Build(RolloutTable table, RolloutTableModel previous, TableSource source) =>
        RolloutTableModel.Build(table, Headers, previous, _timeProvider.GetUtcNow(), source, _telemetry);
}
