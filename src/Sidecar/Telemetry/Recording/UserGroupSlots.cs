using Canary.Contracts.Telemetry;

namespace Canary.Sidecar.Telemetry.Recording;

/// <summary>
/// Where the per-user-group recorders of a comparison arm count a value: slot <c>bucket mod 32</c>
/// (<see cref="UserGroups.Of"/>) for a request with a sticky bucket, and one more slot, <see cref="Ungrouped"/>, for a
/// request recorded in the arm without one. The arm's totals are the sum over every slot, so they never drift from
/// the groups; a row whose interval holds anything in <see cref="Ungrouped"/> is written without groups, because its
/// groups would not add up to it.
/// </summary>
internal static class UserGroupSlots
{
    /// <summary>The slot of values whose request had no sticky bucket.</summary>
    public const int Ungrouped = UserGroups.Count;

    /// <summary>Slots per recorder: one per user group and <see cref="Ungrouped"/>.</summary>
    public const int Count = UserGroups.Count + 1;

    /// <summary>Passed by requests without a sticky bucket (any negative value reads the same).</summary>
    public const int NoBucket = Routing.StickyBucket.None;

    /// <summary>The slot of <paramref name="bucket"/>: its user group, or <see cref="Ungrouped"/> when it is no bucket.</summary>
    public static int Of(int bucket) => (uint)bucket < UserGroups.BucketCount ? bucket & (UserGroups.Count - 1) : Ungrouped;
}
