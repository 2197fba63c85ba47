using System.Net;
using System.Threading.Channels;
using Microsoft.AspNetCore.Connections;

namespace Canary.Sidecar.Proxy.PriorKnowledge;

/// <summary>
/// HTTP/1.1 and HTTP/2 by prior knowledge on one cleartext port. Kestrel picks a connection's protocol by ALPN, so
/// without TLS an endpoint that allows both serves HTTP/1.1 only and refuses the HTTP/2 preface with
/// HTTP_1_1_REQUIRED. Instead, the proxy's cleartext endpoint runs <see cref="Route"/> first: a connection that opens
/// with the HTTP/2 preface is handed, unread, to a second Kestrel endpoint (<see cref="PriorKnowledgeEndPoint"/>, bound
/// with HTTP/2 alone, and served by this transport) on the same socket; any other goes on to HTTP/1.1. Both endpoints
/// run the same application, and the handed-over connection keeps its local endpoint, so requests on it are proxied
/// like any other on the proxy's port.
/// </summary>
internal sealed class PriorKnowledgeTransport : IConnectionListenerFactory, IConnectionListenerFactorySelector
{
    private readonly Channel<ConnectionContext> _connections = Channel.CreateUnbounded<ConnectionContext>(new UnboundedChannelOptions { SingleReader = true });

    public bool CanBind(EndPoint endpoint) => endpoint is PriorKnowledgeEndPoint;

    public ValueTask<IConnectionListener> BindAsync(EndPoint endpoint, CancellationToken cancellationToken = default) =>
        ValueTask.FromResult<IConnectionListener>(new PriorKnowledgeListener(_connections));

    /// <summary>
    /// The connection middleware of the cleartext proxy endpoint: HTTP/2 connections to the in-process endpoint,
    /// everything else on to the endpoint's own HTTP/1.1 server. A connection that sends nothing decisive within
    /// <paramref name="prefaceTimeout"/> is closed, as Kestrel closes one that sends no request headers.
    /// </summary>
    public Func<ConnectionDelegate, ConnectionDelegate> Route(TimeSpan prefaceTimeout) => http1 => async connection =>
    {
        bool http2;
        using (var timeout = CancellationTokenSource.CreateLinkedTokenSource(connection.ConnectionClosed))
        {
            timeout.CancelAfter(prefaceTimeout);
            try
            {
                http2 = await Http2Preface.StartsConnectionAsync(connection.Transport.Input, timeout.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                connection.Abort();
                return;
            }
        }

        if (!http2)
        {
            await http1(connection).ConfigureAwait(false);
            return;
        }

        var handedOff = new HandedOffConnection(connection);
        if (!_connections.Writer.TryWrite(handedOff))
        {
            // The HTTP/2 endpoint is unbound: the server is stopping.
            connection.Abort();
            return;
        }

        // The socket stays this endpoint's until the HTTP/2 endpoint is done with it; returning disposes it.
        await handedOff.Done.ConfigureAwait(false);
    };
}
