using System.Globalization;
using System.Net;
using System.Text;

namespace Canary.IntegrationTests.Chart.Cluster;

/// <summary>
/// The cluster's pod network, built in network namespaces only (the host's interfaces, routes and ports are never
/// touched): a "node" namespace with a bridge (10.244.0.1/16) that every pod namespace joins through a veth pair with
/// its own pod IP, and Service ClusterIPs (10.96.0.0/16) on the node's loopback, each forwarded to its endpoint. Pods
/// reach each other by pod IP through the bridge, as on one Kubernetes node; names resolve through the hosts file this
/// network writes for each pod (the cluster DNS stand-in).
/// </summary>
internal sealed class ClusterNetwork : IAsyncDisposable
{
    private const string Bridge = "cbr0";
    private readonly NetworkNamespace _node;
    private readonly List<ServiceForwarder> _forwarders = [];
    private readonly List<(IPAddress Address, string[] Names)> _serviceNames = [];
    private int _nextPod = 2;
    private int _nextService = 1;

    private ClusterNetwork(NetworkNamespace node)
    {
        _node = node;
    }

    /// <summary>The node's namespace: where kubelet probes and operator port-forwards come from.</summary>
    public NetworkNamespace Node => _node;

    public static ClusterNetwork Create()
    {
        var node = NetworkNamespace.Create();
        // A fixed MAC: a bridge otherwise takes the lowest MAC of its ports, so each pod that joins could change it, and
        // the other pods' ARP entries for their gateway would point at nothing until they expire (stalls of 15-45 s).
        node.Run("sh", "-c", $"ip link add {Bridge} type bridge && ip link set dev {Bridge} address 02:00:0a:f4:00:01 && ip addr add 10.244.0.1/16 dev {Bridge} && ip link set {Bridge} up");
        return new ClusterNetwork(node);
    }

    /// <summary>Gives <paramref name="pod"/> the next pod IP on the bridge, with a default route through the node.</summary>
    public IPAddress AttachPod(NetworkNamespace pod)
    {
        var index = _nextPod++;
        var address = IPAddress.Parse($"10.244.{index / 250}.{(index % 250) + 2}");
        var veth = "veth" + index.ToString(CultureInfo.InvariantCulture);
        _node.Run("ip", "link", "add", veth, "type", "veth", "peer", "name", "eth0", "netns", pod.HolderPid.ToString(CultureInfo.InvariantCulture));
        _node.Run("ip", "link", "set", veth, "master", Bridge, "up");
        pod.Run("sh", "-c", $"ip addr add {address}/16 dev eth0 && ip link set eth0 up && ip route add default via 10.244.0.1");
        return address;
    }

    /// <summary>
    /// A Service: the next ClusterIP (the first is 10.96.0.1, the kubernetes Service's by convention), resolvable by
    /// <paramref name="names"/>, forwarded on <paramref name="port"/> to <paramref name="endpoint"/>.
    /// </summary>
    public IPEndPoint AddService(int port, IPEndPoint endpoint, params string[] names)
    {
        var address = IPAddress.Parse($"10.96.0.{_nextService++}");
        _node.Run("ip", "addr", "add", $"{address}/32", "dev", "lo");
        var forwarder = new ServiceForwarder(_node, new IPEndPoint(address, port), endpoint);
        lock (_forwarders)
        {
            _forwarders.Add(forwarder);
            _serviceNames.Add((address, names));
        }

        return forwarder.ClusterAddress;
    }

    /// <summary>The /etc/hosts of a pod: itself by name (as the kubelet writes it) and every Service by its names.</summary>
    public string HostsFile(string podName, IPAddress podAddress)
    {
        var text = new StringBuilder("127.0.0.1\tlocalhost\n");
        text.Append(CultureInfo.InvariantCulture, $"{podAddress}\t{podName}\n");
        lock (_forwarders)
        {
            foreach (var (address, names) in _serviceNames)
            {
                text.Append(CultureInfo.InvariantCulture, $"{address}\t{string.Join(' ', names)}\n");
            }
        }

        return text.ToString();
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var forwarder in _forwarders)
        {
            await forwarder.DisposeAsync();
        }

        _node.Dispose();
    }
}
