using System.Net;
using System.Threading.Channels;
using Microsoft.AspNetCore.Connections;

namespace Canary.Sidecar.Proxy.PriorKnowledge;

/// <summary>The in-process listener's side of the handoff: Kestrel accepts the handed-over connections from it.</summary>
internal sealed class PriorKnowledgeListener : IConnectionListener
{
    private readonly Channel<ConnectionContext> _connections;

    public PriorKnowledgeListener(Channel<ConnectionContext> connections)
    {
        _connections = connections;
    }

    public EndPoint EndPoint => PriorKnowledgeEndPoint.Instance;

    public async ValueTask<ConnectionContext?> AcceptAsync(CancellationToken cancellationToken = default)
    {
        try
        {
            return await _connections.Reader.ReadAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (ChannelClosedException)
        {
            // Unbound: Kestrel stops accepting on a null connection.
            return null;
        }
    }

    public ValueTask UnbindAsync(CancellationToken cancellationToken = default)
    {
        _connections.Writer.TryComplete();
        return ValueTask.CompletedTask;
    }

    public ValueTask DisposeAsync()
    {
        _connections.Writer.TryComplete();
        return ValueTask.CompletedTask;
    }
}
