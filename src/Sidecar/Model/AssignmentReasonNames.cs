namespace Canary.Sidecar.Model;

/// <summary>
/// The names of <see cref="AssignmentReason"/> outside the process: the <c>reason</c> field of the <c>canary</c> dynamic
/// metadata (Envoy's access log and stats read it as <c>%DYNAMIC_METADATA(canary:reason)%</c>) and the <c>reason</c>
/// label of <c>canary_assignments_by_reason_total</c>. Never renamed: access-log formats and dashboards match them.
/// </summary>
internal static class AssignmentReasonNames
{
    public const int Count = (int)AssignmentReason.RolledBack + 1;

    public static readonly AssignmentReason[] All =
    [
        AssignmentReason.Sticky, AssignmentReason.NoUserKey, AssignmentReason.Forced, AssignmentReason.OptIn,
        AssignmentReason.ExcludedUser, AssignmentReason.ExcludedTenant, AssignmentReason.RolledBack,
    ];

    public static string Name(AssignmentReason reason) => reason switch
    {
        AssignmentReason.Sticky => "sticky",
        AssignmentReason.NoUserKey => "no_user_key",
        AssignmentReason.Forced => "forced",
        AssignmentReason.OptIn => "opt_in",
        AssignmentReason.ExcludedUser => "excluded_user",
        AssignmentReason.ExcludedTenant => "excluded_tenant",
        AssignmentReason.RolledBack => "rolled_back",
        _ => throw new ArgumentOutOfRangeException(nameof(reason)),
    };
}
