using System.Net;
using System.Net.Sockets;

namespace Canary.IntegrationTests.Quality;

/// <summary>
/// A judge that is down: a loopback port held by a socket that is bound but never listens, so every connection to it is
/// refused, and no other process can take the port while the test runs.
/// </summary>
internal sealed class RefusingEndpoint : IDisposable
{
    private readonly Socket _socket = new(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);

    public RefusingEndpoint()
    {
        _socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        BaseUri = new Uri($"http://127.0.0.1:{((IPEndPoint)_socket.LocalEndPoint!).Port}/v1");
    }

    /// <summary>The base URL to configure as the judge's endpoint.</summary>
    public Uri BaseUri { get; }

    public void Dispose() => _socket.Dispose();
}
