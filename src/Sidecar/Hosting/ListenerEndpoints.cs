using System.Net;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace Canary.Sidecar.Hosting;

/// <summary>
/// The three listeners' ports as bound. A configured port of 0 lets the kernel choose one (tests and local runs, so
/// nobody guesses a free port and races another process for it); Kestrel writes the chosen port back into the
/// listener's options when it binds, and <see cref="Bind"/> reads it from there once the server has started. Before
/// that the configured ports stand, which is what a fixed-port deployment keeps for its whole life.
/// </summary>
internal sealed class ListenerEndpoints
{
    private ListenOptions? _extProcListener;
    private ListenOptions? _controlListener;
    private ListenOptions? _metricsListener;
    private ListenOptions? _proxyListener;

    public ListenerEndpoints(int extProcPort, int controlPort, int metricsPort)
    {
        ExtProcPort = extProcPort;
        ControlPort = controlPort;
        MetricsPort = metricsPort;
    }

    /// <summary>Port of the ext_proc listener (HTTP/2 cleartext, Envoy's side).</summary>
    public int ExtProcPort { get; private set; }

    /// <summary>Port of the control API listener.</summary>
    public int ControlPort { get; private set; }

    /// <summary>Port of the /metrics and /healthz listener.</summary>
    public int MetricsPort { get; private set; }

    /// <summary>Port of the proxy listener (OpenAI- and Anthropic-compatible HTTP); 0 when the proxy is off.</summary>
    public int ProxyPort { get; private set; }

    /// <summary>Remembers the proxy listener's options; called only when the proxy is on.</summary>
    public void TrackProxy(ListenOptions proxy, int configuredPort)
    {
        _proxyListener = proxy;
        ProxyPort = configuredPort;
    }

    /// <summary>Remembers the listeners' options as Kestrel is configured, so their bound ports can be read later.</summary>
    public void Track(ListenOptions extProc, ListenOptions control, ListenOptions metrics)
    {
        _extProcListener = extProc;
        _controlListener = control;
        _metricsListener = metrics;
    }

    /// <summary>Takes the ports Kestrel bound; called once, when the application has started.</summary>
    public void Bind()
    {
        ExtProcPort = BoundPort(_extProcListener, ExtProcPort);
        ControlPort = BoundPort(_controlListener, ControlPort);
        MetricsPort = BoundPort(_metricsListener, MetricsPort);
        ProxyPort = BoundPort(_proxyListener, ProxyPort);
    }

    private static int BoundPort(ListenOptions? listener, int configured) =>
        listener?.EndPoint is IPEndPoint endpoint && endpoint.Port != 0 ? endpoint.Port : configured;
}
