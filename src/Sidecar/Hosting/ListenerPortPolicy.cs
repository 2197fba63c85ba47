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

    /// <summary>An ext_proc call on the ext_proc listener: every service such a call resolves is a singleton.</summary>
    public bool IsExtProcCall(HttpContext context) =>
        context.Connection.LocalPort == _extProcPort && IsExtProcPath(context.Request.Path.Value ?? "");

    public bool IsAllowed(HttpContext context)
    {
        var port = context.Connection.LocalPort;
        var path = context.Request.Path.Value ?? "";
        if (IsExtProcPath(path))
        {
            return port == _extProcPort;
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

    private static bool IsExtProcPath(string path) => path.StartsWith("/envoy.service.ext_proc.", StringComparison.Ordinal);
}
