using System.Net;
using System.Net.Sockets;

namespace Canary.TestSupport.Ports;

/// <summary>
/// A loopback port where every connection is refused, for as long as this object lives: the socket is bound but never
/// listens, so the kernel answers each connect with a reset, and no other process can take the port meanwhile. A port
/// probed free and then closed could be taken by anyone before the test dials it; this one cannot.
/// </summary>
public sealed class RefusingPort : IDisposable
{
    private readonly Socket _socket;

    /// <summary>A refusing port the kernel picks.</summary>
    public RefusingPort()
        : this(0)
    {
    }

    private RefusingPort(int port)
    {
        _socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            _socket.Bind(new IPEndPoint(IPAddress.Loopback, port));
        }
        catch
        {
            _socket.Dispose();
            throw;
        }

        Port = ((IPEndPoint)_socket.LocalEndPoint!).Port;
    }

    public int Port { get; }

    /// <summary>
    /// A refusing port for a server that comes up on it later (a sidecar that was down): drawn from
    /// <see cref="FixedPortRange"/>, so once this object is disposed to let the server bind it, no port-0 bind on the
    /// machine can take it first.
    /// </summary>
    public static RefusingPort ForLaterServer()
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return new RefusingPort(FixedPortRange.Pick());
            }
            catch (SocketException e) when (e.SocketErrorCode == SocketError.AddressAlreadyInUse && attempt < 50)
            {
                // Held by another program: draw again.
            }
        }
    }

    public void Dispose() => _socket.Dispose();
}
