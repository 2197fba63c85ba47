using System.Net;
using System.Net.Sockets;
using Grpc.Net.Client;

namespace Canary.IntegrationTests.Chart.Cluster;

/// <summary>gRPC channels (HTTP/2 cleartext) whose connections start in a given network namespace.</summary>
internal static class NamespacedChannel
{
    public static GrpcChannel Create(NetworkNamespace from, IPEndPoint to) => GrpcChannel.ForAddress($"http://{to}", new GrpcChannelOptions
    {
        HttpHandler = new SocketsHttpHandler
        {
            EnableMultipleHttp2Connections = false,
            PooledConnectionIdleTimeout = Timeout.InfiniteTimeSpan,
            ConnectCallback = async (_, cancellationToken) =>
            {
                var socket = from.CreateTcpSocket();
                try
                {
                    await socket.ConnectAsync(to, cancellationToken);
                    return new NetworkStream(socket, ownsSocket: true);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            },
        },
    });
}
