using System.IO.Pipelines;
using System.Net;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Http.Features;

namespace Canary.Sidecar.Proxy.PriorKnowledge;

/// <summary>
/// An accepted socket connection as the HTTP/2 listener sees it after the handoff: the same transport, endpoints and
/// lifetime, with features of its own layered over the original's (so what the second listener sets on it does not
/// overwrite the first's). Disposing it ends the handoff, not the socket: the first listener still owns that.
/// </summary>
internal sealed class HandedOffConnection : ConnectionContext
{
    private readonly ConnectionContext _original;
    private readonly TaskCompletionSource _done = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public HandedOffConnection(ConnectionContext original)
    {
        _original = original;
        Features = new FeatureCollection(original.Features);
    }

    /// <summary>Completes when the HTTP/2 listener is done with the connection.</summary>
    public Task Done => _done.Task;

    public override string ConnectionId
    {
        get => _original.ConnectionId;
        set => _original.ConnectionId = value;
    }

    public override IFeatureCollection Features { get; }

    public override IDictionary<object, object?> Items
    {
        get => _original.Items;
        set => _original.Items = value;
    }

    public override IDuplexPipe Transport
    {
        get => _original.Transport;
        set => _original.Transport = value;
    }

    public override EndPoint? LocalEndPoint
    {
        get => _original.LocalEndPoint;
        set => _original.LocalEndPoint = value;
    }

    public override EndPoint? RemoteEndPoint
    {
        get => _original.RemoteEndPoint;
        set => _original.RemoteEndPoint = value;
    }

    public override CancellationToken ConnectionClosed
    {
        get => _original.ConnectionClosed;
        set => _original.ConnectionClosed = value;
    }

    public override void Abort(ConnectionAbortedException abortReason) => _original.Abort(abortReason);

    public override void Abort() => _original.Abort();

    public override ValueTask DisposeAsync()
    {
        _done.TrySetResult();
        return ValueTask.CompletedTask;
    }
}
