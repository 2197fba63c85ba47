using System.Net.Security;
using System.Security.Cryptography.X509Certificates;

namespace Canary.IntegrationTests.Proxy;

/// <summary>
/// HttpClients that speak exactly one HTTP version (<see cref="HttpVersionPolicy.RequestVersionExact"/>: HTTP/2 over
/// cleartext is then sent with prior knowledge, and over TLS it must be agreed by ALPN, never quietly downgraded), and
/// that trust either the system's authorities or only the one given.
/// </summary>
internal static class VersionedClient
{
    /// <summary>A client trusting the system's authorities (none of the tests' throwaway ones).</summary>
    public static HttpClient Create(Version version) => Create(version, new SocketsHttpHandler());

    /// <summary>
    /// A client whose chain check trusts <paramref name="authority"/> alone (custom root trust; the host name is
    /// still checked against the certificate's names as usual).
    /// </summary>
    public static HttpClient Trusting(X509Certificate2 authority, Version version)
    {
        var policy = new X509ChainPolicy
        {
            TrustMode = X509ChainTrustMode.CustomRootTrust,
            // The throwaway authority publishes no revocation list.
            RevocationMode = X509RevocationMode.NoCheck,
        };
        policy.CustomTrustStore.Add(authority);
        return Create(version, new SocketsHttpHandler { SslOptions = new SslClientAuthenticationOptions { CertificateChainPolicy = policy } });
    }

    private static HttpClient Create(Version version, SocketsHttpHandler handler) =>
        new(handler, disposeHandler: true)
        {
            DefaultRequestVersion = version,
            DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact,
        };
}
