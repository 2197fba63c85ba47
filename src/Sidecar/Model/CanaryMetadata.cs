using System.Text;
using Canary.Sidecar.Wire;

namespace Canary.Sidecar.Model;

/// <summary>
/// The dynamic metadata the sidecar gives Envoy with each routed request, under the namespace <c>canary</c>:
/// <c>rollout</c> (the route key), <c>arm</c> (the telemetry subset the request is recorded under, such as
/// <c>canary</c> or <c>stable:nokey</c>) and <c>reason</c> (<see cref="AssignmentReasonNames"/>). Envoy's access log
/// reads them as <c>%DYNAMIC_METADATA(canary:arm)%</c>; Envoy accepts them only when its ext_proc filter lists
/// <c>canary</c> in <c>metadata_options.receiving_namespaces.untyped</c>. Never renamed: access-log formats use them.
/// </summary>
internal static class CanaryMetadata
{
    public const string Namespace = "canary";

    public const string RolloutKey = "rollout";

    public const string ArmKey = "arm";

    public const string ReasonKey = "reason";

    public static readonly byte[] NamespaceBytes = Encoding.UTF8.GetBytes(Namespace);

    public static readonly byte[] RolloutKeyBytes = Encoding.UTF8.GetBytes(RolloutKey);

    public static readonly byte[] ArmKeyBytes = Encoding.UTF8.GetBytes(ArmKey);

    public static readonly byte[] ReasonKeyBytes = Encoding.UTF8.GetBytes(ReasonKey);

    /// <summary>The encoded <c>reason</c> field of each reason (<see cref="DynamicMetadataWriter.StringEntry"/>), indexed by <see cref="AssignmentReason"/>.</summary>
    public static readonly byte[][] ReasonEntries = BuildReasonEntries();

    /// <summary>The encoded <c>rollout</c> field naming <paramref name="routeKey"/>.</summary>
    public static byte[] RolloutEntry(string routeKey) => DynamicMetadataWriter.StringEntry(RolloutKeyBytes, Encoding.UTF8.GetBytes(routeKey));

    /// <summary>The encoded <c>arm</c> field naming <paramref name="arm"/>.</summary>
    public static byte[] ArmEntry(string arm) => DynamicMetadataWriter.StringEntry(ArmKeyBytes, Encoding.UTF8.GetBytes(arm));

    private static byte[][] BuildReasonEntries()
    {
        var entries = new byte[AssignmentReasonNames.Count][];
        foreach (var reason in AssignmentReasonNames.All)
        {
            entries[(int)reason] = DynamicMetadataWriter.StringEntry(ReasonKeyBytes, Encoding.UTF8.GetBytes(AssignmentReasonNames.Name(reason)));
        }

        return entries;
    }
}
