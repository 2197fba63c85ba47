using System.Net;
using System.Net.Sockets;

namespace Canary.IntegrationTests;

/// <summary>Free TCP ports on loopback for the servers the tests start.</summary>
internal static class LoopbackPort
{
    public static int Free()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
