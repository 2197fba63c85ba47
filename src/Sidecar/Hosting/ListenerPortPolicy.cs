namespace Canary.Sidecar.Hosting;

/// <summary>
/// Keeps each API on its own listener: ext_proc only on the ext_proc port, the control API only on the control port,
/// /metrics only on the metrics port. Decided by the local port of the connection, not the Host header, because
/// Envoy's gRPC client sends the cluster name as :authority.
/// </summary>
internal sealed class ListenerPortPolicy
{
    private readonly int _extProcPort;
    private readonly int _controlPort;
    private readonly int _metricsPort;

    public ListenerPortPolicy(int extProcPort, int controlPort, int metricsPort)
    {
        _extProcPort = extProcPort;
        _controlPort = controlPort;
        _metricsPort = metricsPort;
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
            isExtProcCall = port == _extProcPort;
            return isExtProcCall;
        }

        if (path.StartsWith("/canary.", StringComparison.Ordinal))
        {
            return port == _controlPort;
        }

        if (path.StartsWith("/grpc.health.", StringComparison.Ordinal))
        {
            return port == _extProcPort || port == _controlPort;
        }

        return port == _metricsPort;
    }
}
