using System.Net;
using Yarp.ReverseProxy.Forwarder;

namespace Canary.BaselineServers;

/// <summary>
/// The proxy benchmark's baseline: YARP's <see cref="IHttpForwarder"/> sending every request, as it arrives, to one
/// upstream, with the connection pool and forwarder settings the sidecar's proxy uses for an upstream
/// (<c>ProxyUpstream</c>) and nothing else: no body buffering, no routing decision, no observers.
/// </summary>
internal sealed class PlainYarpForwarder
{
    private readonly IHttpForwarder _forwarder;
    private readonly string _upstream;
    private readonly HttpMessageInvoker _invoker;
    private readonly ForwarderRequestConfig _requestConfig;

    public PlainYarpForwarder(IHttpForwarder forwarder, string upstream)
    {
        _forwarder = forwarder;
        _upstream = upstream;
        _invoker = new HttpMessageInvoker(
            new SocketsHttpHandler
            {
                UseProxy = false,
                AllowAutoRedirect = false,
                AutomaticDecompression = DecompressionMethods.None,
                UseCookies = false,
                ActivityHeadersPropagator = null,
                EnableMultipleHttp2Connections = true,
                ConnectTimeout = TimeSpan.FromSeconds(10),
            },
            disposeHandler: true);
        _requestConfig = new ForwarderRequestConfig
        {
            ActivityTimeout = TimeSpan.FromMinutes(5),
            Version = HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionOrLower,
        };
    }

    /// <summary>Forwards the request; YARP answers 502 or 504 itself when the upstream fails before its response.</summary>
    public async Task ForwardAsync(HttpContext context) =>
        await _forwarder.SendAsync(context, _upstream, _invoker, _requestConfig).ConfigureAwait(false);
}
