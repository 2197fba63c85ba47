using System.Net;

namespace Canary.Sidecar.Proxy.PriorKnowledge;

/// <summary>
/// The address of the in-process listener that serves the proxy's cleartext HTTP/2 connections: no socket, only the
/// connections <see cref="PriorKnowledgeTransport"/> hands over. Kestrel binds it like any endpoint, with HTTP/2 alone.
/// </summary>
internal sealed class PriorKnowledgeEndPoint : EndPoint
{
    public static readonly PriorKnowledgeEndPoint Instance = new();

    private PriorKnowledgeEndPoint()
    {
    }

    public override string ToString() => "proxy-port-http2-prior-knowledge";
}
