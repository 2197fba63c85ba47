using System.Runtime.Versioning;
using System.Net;
using Canary.Contracts.V1;
using Canary.IntegrationTests.Chart.Cluster;
using Canary.IntegrationTests.Chart.Kubernetes;
using Grpc.Core;

namespace Canary.IntegrationTests.Chart;

/// <summary>
/// <c>GetTable</c> on a sidecar's control port (its pod IP and rendered port, from the node, as a port-forward reaches
/// it) with the control token: what an operator checks on every sidecar.
/// </summary>
[SupportedOSPlatform("linux")]
internal static class SidecarControl
{
    public static async Task<GetTableResponse> GetTableAsync(ChartCluster cluster, RunningPod pod)
    {
        var port = (int)pod.Spec[pod.Spec["containers"]!.AsArray().Any(c => (string?)c!["name"] == "canary-sidecar") ? "containers" : "initContainers"]!.AsArray()
            .Single(c => (string?)c!["name"] == "canary-sidecar")!["ports"]!.AsArray().Single(p => (string?)p!["name"] == "grpc-control")!["containerPort"]!;
        using var channel = NamespacedChannel.Create(cluster.Network.Node, new IPEndPoint(pod.Address, port));
        var client = new RolloutControl.RolloutControlClient(channel);
        return await client.GetTableAsync(new GetTableRequest(), new Metadata { { "authorization", "Bearer " + cluster.ControlToken } }, DateTime.UtcNow.AddSeconds(10));
    }
}
