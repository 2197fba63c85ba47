using System.Runtime.CompilerServices;
using Canary.Sidecar.Telemetry.Recording;

namespace Canary.Sidecar.Model;

/// <summary>
/// The telemetry arms of one rollout, by <see cref="ArmKind"/>. An arm is looked up in (or added to) the registry the
/// first time a request of this compiled rollout is recorded in it, and kept in a slot from then on, so the response
/// path follows a reference; a rollout that never sees a request of some kind (testers, feedback, ...) never creates
/// that arm, and applying a table touches no arm at all.
/// </summary>
/// <remarks>
/// Slots start null and are published with a compare-and-swap; racing threads get the same arm from the registry,
/// which owns the arm by (route key, subset), so the arm outlives this compiled rollout: the next table's rollout with
/// the same key finds it again and its counters and recorders carry on; while the rollout's subsets stay the same the
/// next model's rollout even keeps this object, filled slots included.
/// </remarks>
internal sealed class RolloutArms
{
    private readonly TelemetryRegistry? _registry;

    // Null until a request of this compiled rollout is recorded, so that the rollouts of a large table without traffic
    // hold no slots either.
    private ArmTelemetry?[]? _slots;

    public RolloutArms(string routeKey, ArmNames names, TelemetryRegistry? registry)
    {
        RouteKey = routeKey;
        Names = names;
        _registry = registry;
    }

    public string RouteKey { get; }

    public ArmNames Names { get; }

    /// <summary>The arm of <paramref name="kind"/>, created on first use; null when the sidecar records no telemetry (unit tests).</summary>
    public ArmTelemetry? Get(ArmKind kind)
    {
        if (_registry is null)
        {
            return null;
        }

        var slots = Volatile.Read(ref _slots);
        return (slots is null ? null : Volatile.Read(ref slots[(int)kind])) ?? Resolve(kind);
    }

    /// <summary>True when these arms are the ones a rollout of the same route key with <paramref name="names"/> and
    /// <paramref name="registry"/> would resolve, so the next model's rollout can keep them, slots and all.</summary>
    public bool Serves(ArmNames names, TelemetryRegistry? registry) => ReferenceEquals(Names, names) && ReferenceEquals(_registry, registry);

    /// <summary>The arm of <paramref name="kind"/> if a request of this compiled rollout has used it.</summary>
    public ArmTelemetry? GetIfUsed(ArmKind kind)
    {
        var slots = Volatile.Read(ref _slots);
        return slots is null ? null : Volatile.Read(ref slots[(int)kind]);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private ArmTelemetry Resolve(ArmKind kind)
    {
        var slots = Volatile.Read(ref _slots);
        if (slots is null)
        {
            var created = new ArmTelemetry?[ArmKinds.Count];
            slots = Interlocked.CompareExchange(ref _slots, created, null) ?? created;
        }

        var arm = _registry!.EnsureArm(RouteKey, Names.Name(kind), recordsUserGroups: ArmKinds.IsComparison(kind));
        return Interlocked.CompareExchange(ref slots[(int)kind], arm, null) ?? arm;
    }
}
