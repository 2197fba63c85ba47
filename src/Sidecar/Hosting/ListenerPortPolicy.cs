namespace Canary.Sidecar.Hosting;

/// <summary>
/// Keeps each API on its own listener: ext_proc only on the ext_proc port, the control API only on the control port,
/// /metrics only on the metrics port. Decided by the local port of the connection, not the Host header, because
/// Envoy's gRPC client sends the cluster name as :authority. The ports are read from <see cref="ListenerEndpoints"/>
/// on every call (three field reads), so listeners bound to port 0 are told apart by the ports the kernel gave them.
/// </summary>
internal sealed class ListenerPortPolicy
{
    private readonly ListenerEndpoints _endpoints;

    public ListenerPortPolicy(ListenerEndpoints endpoints)
    {
        _endpoints = endpoints;
    }

    /// <summary>
    /// Whether the request may be served on the listener it came in on; <paramref name="isExtProcCall"/> says it is an
    /// ext_proc call on the ext_proc listener, where every service the call resolves is a singleton. One pass over
    /// the path and port for both answers: the middleware asks on every ext_proc stream.
    /// </summary>
    public bool IsAllowed(HttpContext context, out bool isExtProcCall)
    {
        var port = context.Connection.LocalPort;
        var path = context.Request.Path.Value ?? "";
        isExtProcCall = false;
        if (path.StartsWith("/envoy.service.ext_proc.", StringComparison.Ordinal))
        {
            isExtProcCall = port == _endpoints.ExtProcPort;
            return isExtProcCall;
        }

        if (path.StartsWith("/canary.", StringComparison.Ordinal))
        {
            return port == _endpoints.ControlPort;
        }

        if (path.StartsWith("/grpc.health.", StringComparison.Ordinal))
        {
            return port == _endpoints.ExtProcPort || port == _endpoints.ControlPort;
        }

        return port == _endpoints.MetricsPort;
    }
}
