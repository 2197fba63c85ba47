using System.Net;
using System.Net.Sockets;

namespace Canary.IntegrationTests.Chart.Cluster;

/// <summary>
/// A Service's ClusterIP and port in the cluster network, forwarded to an endpoint on the test's own loopback: what
/// kube-proxy does for a Service whose endpoint is outside the pod network (PostgreSQL, the Kubernetes API, a model
/// server). Bytes pass through unchanged, TLS included. Each connection is copied by two dedicated threads with
/// blocking I/O, so a busy thread pool in the test process (the Envoy stand-in, the fake models) never delays the
/// pods' database or API traffic.
/// </summary>
internal sealed class ServiceForwarder : IAsyncDisposable
{
    private readonly Socket _listener;
    private readonly IPEndPoint _target;
    private readonly Thread _accepting;
    private readonly List<Socket> _open = [];
    private volatile bool _stopped;

    public ServiceForwarder(NetworkNamespace network, IPEndPoint clusterAddress, IPEndPoint target)
    {
        _target = target;
        ClusterAddress = clusterAddress;
        _listener = network.CreateTcpSocket();
        _listener.Bind(clusterAddress);
        _listener.Listen(512);
        _accepting = new Thread(Accept) { IsBackground = true, Name = $"forward {clusterAddress}" };
        _accepting.Start();
    }

    public IPEndPoint ClusterAddress { get; }

    private void Accept()
    {
        while (!_stopped)
        {
            Socket client;
            try
            {
                client = _listener.Accept();
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException)
            {
                return;
            }

            var upstream = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                client.NoDelay = true;
                upstream.Connect(_target);
            }
            catch (SocketException)
            {
                client.Dispose();
                upstream.Dispose();
                continue;
            }

            lock (_open)
            {
                _open.Add(client);
                _open.Add(upstream);
            }

            new Thread(() => Copy(client, upstream)) { IsBackground = true }.Start();
            new Thread(() => Copy(upstream, client)) { IsBackground = true }.Start();
        }
    }

    /// <summary>Copies one direction until its end, then half-closes the other side (or closes both on an error).</summary>
    private void Copy(Socket from, Socket to)
    {
        var buffer = new byte[64 * 1024];
        try
        {
            int read;
            while ((read = from.Receive(buffer)) > 0)
            {
                for (var sent = 0; sent < read;)
                {
                    sent += to.Send(buffer, sent, read - sent, SocketFlags.None);
                }
            }

            to.Shutdown(SocketShutdown.Send);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            from.Close();
            to.Close();
        }
    }

    public ValueTask DisposeAsync()
    {
        _stopped = true;
        _listener.Dispose();
        _accepting.Join();
        lock (_open)
        {
            foreach (var socket in _open)
            {
                socket.Close();
            }
        }

        return ValueTask.CompletedTask;
    }
}
