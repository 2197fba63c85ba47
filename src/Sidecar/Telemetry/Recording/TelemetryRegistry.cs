using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;

namespace Canary.Sidecar.Telemetry.Recording;

/// <summary>
/// The <see cref="ArmTelemetry"/> of every (rollout route key, subset) arm this sidecar has recorded a request in. An
/// arm is created by <see cref="EnsureArm"/> when a compiled rollout first records a request in it (the model's
/// <c>RolloutArms</c> then keeps it in a slot), without storage until its first value; lookups never lock and allocate
/// nothing.
/// </summary>
/// <remarks>
/// <para>Arms are never removed while the process runs: their cumulative counters and pending intervals must still be
/// flushed after a rollout leaves the table, and a removed-then-re-added rollout keeps its arm.</para>
/// <para>Adding an arm is amortized O(1): the key map is concurrent (readers never see it half-written) and the arm list
/// is an append-only array that doubles when full. Copying a dictionary and an array per added arm, as an immutable
/// snapshot per arm would, made registering the arms of a 10 000-rollout table quadratic.</para>
/// </remarks>
internal sealed class TelemetryRegistry
{
    private readonly Lock _writeLock = new();
    private readonly ConcurrentDictionary<(string RouteKey, string Subset), ArmTelemetry> _byKey = new();

    // Append-only, written under _writeLock. Slots below _count are never written again (a full array is copied into
    // a larger one instead), so the prefix a reader sees through _count is immutable. The writer publishes the array
    // before the count and readers read the count before the array: whichever array a reader then gets holds at
    // least that many arms.
    private ArmTelemetry[] _arms = new ArmTelemetry[64];
    private int _count;

    /// <summary>All arms, in creation order: an immutable view of the arms that existed when it was read.</summary>
    public IReadOnlyList<ArmTelemetry> Arms
    {
        get
        {
            var count = Volatile.Read(ref _count);
            return new ArraySegment<ArmTelemetry>(Volatile.Read(ref _arms), 0, count);
        }
    }

    /// <summary>
    /// Bytes held by the recorders of all arms: only recorders created so far count, since an arm creates each one on
    /// its metric's first value (<see cref="ArmTelemetry"/>). Walks every arm: for /metrics, not the request path.
    /// </summary>
    public long HistogramBytes
    {
        get
        {
            long bytes = 0;
            foreach (var arm in Arms)
            {
                bytes += arm.HistogramBytes;
            }

            return bytes;
        }
    }

    /// <summary>
    /// Returns the arm for (<paramref name="routeKey"/>, <paramref name="subset"/>), creating it if needed; a created arm
    /// records per user group when <paramref name="recordsUserGroups"/> (the comparison's two arms, whose bare subset
    /// names no off-comparison arm shares).
    /// </summary>
    public ArmTelemetry EnsureArm(string routeKey, string subset, bool recordsUserGroups = false)
    {
        ArgumentNullException.ThrowIfNull(routeKey);
        ArgumentNullException.ThrowIfNull(subset);
        if (_byKey.TryGetValue((routeKey, subset), out var existing))
        {
            return existing;
        }

        lock (_writeLock)
        {
            if (_byKey.TryGetValue((routeKey, subset), out existing))
            {
                return existing;
            }

            var arm = new ArmTelemetry(routeKey, subset, recordsUserGroups);
            var arms = _arms;
            var count = _count;
            if (count == arms.Length)
            {
                var larger = new ArmTelemetry[arms.Length * 2];
                Array.Copy(arms, larger, count);
                arms = larger;
            }

            arms[count] = arm;
            Volatile.Write(ref _arms, arms);
            Volatile.Write(ref _count, count + 1);

            // Added to the map last: an arm found by key is always in the list the collector walks.
            _byKey[(routeKey, subset)] = arm;
            return arm;
        }
    }

    public bool TryGetArm(string routeKey, string subset, [MaybeNullWhen(false)] out ArmTelemetry arm) =>
        _byKey.TryGetValue((routeKey, subset), out arm);
}
