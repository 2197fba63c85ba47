using System.Net;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using Yarp.ReverseProxy.Forwarder;

namespace Canary.Sidecar.Proxy;

/// <summary>
/// One upstream ready to forward to: its own connection pool (HTTP/2 where the upstream offers it by ALPN, else
/// HTTP/1.1), its TLS trust, and the forwarder settings that carry its timeout.
/// </summary>
internal sealed class ProxyUpstream : IDisposable
{
    public ProxyUpstream(ProxyUpstreamDefinition definition)
    {
        Definition = definition;
        var handler = new SocketsHttpHandler
        {
            // What YARP's own client factory sets, and why: a proxy forwards what it gets, so no system proxy, no
            // redirects followed, no decompression (the body reaches the client as sent, and the scanner reads it
            // as the client does), no cookies kept between clients, and no trace headers added.
            UseProxy = false,
            AllowAutoRedirect = false,
            AutomaticDecompression = DecompressionMethods.None,
            UseCookies = false,
            ActivityHeadersPropagator = null,
            EnableMultipleHttp2Connections = true,
            ConnectTimeout = definition.ConnectTimeout,
        };
        if (definition.Authorities is { } authorities)
        {
            handler.SslOptions = new SslClientAuthenticationOptions
            {
                CertificateChainPolicy = new X509ChainPolicy
                {
                    TrustMode = X509ChainTrustMode.CustomRootTrust,
                    RevocationMode = X509RevocationMode.NoCheck,
                },
            };
            handler.SslOptions.CertificateChainPolicy.CustomTrustStore.AddRange(authorities);
        }

        Invoker = new HttpMessageInvoker(handler, disposeHandler: true);
        RequestConfig = new ForwarderRequestConfig
        {
            ActivityTimeout = definition.Timeout,
            Version = HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionOrLower,
        };
    }

    public ProxyUpstreamDefinition Definition { get; }

    public string Name => Definition.Name;

    public string Prefix => Definition.Prefix;

    public HttpMessageInvoker Invoker { get; }

    public ForwarderRequestConfig RequestConfig { get; }

    public void Dispose() => Invoker.Dispose();
}
