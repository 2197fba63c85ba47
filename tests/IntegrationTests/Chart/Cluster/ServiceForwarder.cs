using System.Net;
using System.Net.Sockets;

namespace Canary.IntegrationTests.Chart.Cluster;

/// <summary>
/// A Service's ClusterIP and port in the cluster network, forwarded to an endpoint on the test's own loopback: what
/// kube-proxy does for a Service whose endpoint is outside the pod network (PostgreSQL, the Kubernetes API, a model
/// server). Bytes pass through unchanged, TLS included.
/// </summary>
internal sealed class ServiceForwarder : IAsyncDisposable
{
    private readonly Socket _listener;
    private readonly IPEndPoint _target;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _accepting;

    public ServiceForwarder(NetworkNamespace network, IPEndPoint clusterAddress, IPEndPoint target)
    {
        _target = target;
        ClusterAddress = clusterAddress;
        _listener = network.CreateTcpSocket();
        _listener.Bind(clusterAddress);
        _listener.Listen(512);
        _accepting = Task.Run(AcceptAsync);
    }

    public IPEndPoint ClusterAddress { get; }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await _listener.AcceptAsync(_stop.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }

            _ = Task.Run(() => ForwardAsync(client));
        }
    }

    private async Task ForwardAsync(Socket client)
    {
        using var upstream = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await upstream.ConnectAsync(_target, _stop.Token);
            await using var a = new NetworkStream(client, ownsSocket: true);
            await using var b = new NetworkStream(upstream, ownsSocket: false);
            await Task.WhenAll(PumpAsync(a, b, upstream), PumpAsync(b, a, client));
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or IOException or ObjectDisposedException)
        {
            client.Dispose();
        }
    }

    private async Task PumpAsync(Stream from, Stream to, Socket toSocket)
    {
        try
        {
            await from.CopyToAsync(to, _stop.Token);
            toSocket.Shutdown(SocketShutdown.Send);
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or IOException or ObjectDisposedException)
        {
            toSocket.Close();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Dispose();
        await _accepting;
        _stop.Dispose();
    }
}
