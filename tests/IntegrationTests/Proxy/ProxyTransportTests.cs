using System.Net;
using System.Security.Authentication;
using System.Text;
using System.Text.Json;
using Canary.IntegrationTests.StandIns;

namespace Canary.IntegrationTests.Proxy;

/// <summary>
/// The proxy's transports, through the real sidecar process (the AOT binary under CI) and real sockets: HTTP/2 from
/// clients by prior knowledge over cleartext (answers, sticky assignment as over HTTP/1.1, SSE event by event), TLS on
/// the proxy listener (HTTP/1.1 and HTTP/2 by ALPN for a client trusting its authority, a failed handshake for one
/// that does not), and https upstreams checked against <c>CaCertificateFile</c> (reached with the injected key when
/// the file names their authority, 502 when nothing trusts them). Every certificate comes from an authority made for
/// the test.
/// </summary>
public sealed class ProxyTransportTests : IDisposable
{
    private const string Model = "gpt-test";
    private const string ChatPath = "/v1/chat/completions";

    private readonly DirectoryInfo _directory = Directory.CreateTempSubdirectory("canary-proxy-transport-");

    public void Dispose() => _directory.Delete(recursive: true);

    [Fact]
    public async Task Http2PriorKnowledge_Cleartext_AnsweredOverHttp2WithEachUserOnTheSubsetHttp11AndExtProcGive()
    {
        await using var stable = new FakeVendorApi("stable");
        await using var canary = new FakeVendorApi("canary");
        await using var proxy = await TransportProxy.StartAsync(_directory.FullName, HalfCanaryRollout, ProxySdkTests.ProxySettings(stable, canary));
        Assert.StartsWith("http://", proxy.Url, StringComparison.Ordinal);
        using var http2 = VersionedClient.Create(HttpVersion.Version20);
        using var http11 = VersionedClient.Create(HttpVersion.Version11);

        var served = new Dictionary<string, string>();
        for (var i = 0; i < 16; i++)
        {
            var user = $"user-{i}";
            var overHttp2 = await AskAsync(http2, proxy.Url, user, HttpVersion.Version20);
            var overHttp11 = await AskAsync(http11, proxy.Url, user, HttpVersion.Version11);
            Assert.True(overHttp2 == overHttp11, $"{user}: {overHttp2} over HTTP/2, {overHttp11} over HTTP/1.1");
            served[user] = overHttp2;
        }

        // Both arms are in play, so agreeing on every user is not agreeing on a constant.
        Assert.Equal(["canary", "stable"], served.Values.Distinct().Order());
        foreach (var (user, subset) in served)
        {
            Assert.Equal(subset, await proxy.Sidecar.RouteAsync(Model, user));
        }

        await proxy.WaitForMetricAsync($"canary_proxy_requests_total{{result=\"forwarded\"}} {served.Count * 2}");
    }

    [Fact]
    public async Task Http2PriorKnowledge_StreamedAnswer_EachEventReachesTheClientBeforeTheUpstreamSendsTheNext()
    {
        await using var stepped = new SteppedSseUpstream();
        await using var proxy = await TransportProxy.StartAsync(_directory.FullName,
            """{"routeKey": "stepped-model", "stableSubset": "stepped", "canarySubset": "stepped-next", "canaryWeightBasisPoints": 0, "salt": "s", "state": "active"}""",
            $"--Canary:Proxy:Upstreams:stepped:Url={stepped.Url}", "--Canary:Proxy:DefaultUpstream=stepped");
        using var http2 = VersionedClient.Create(HttpVersion.Version20);

        using var request = ChatRequest(proxy.Url, "stepped-model", "u1", HttpVersion.Version20, stream: true);
        using var response = await http2.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(HttpVersion.Version20, response.Version);
        await using var body = await response.Content.ReadAsStreamAsync();
        // The deadline only turns a hang into a failure: the upstream has sent exactly this event and waits for the
        // test, so the read completes only if the proxy passed the event on by itself.
        using var deadline = new CancellationTokenSource(Eventually.DefaultTimeout);
        for (var i = 0; i < SteppedSseUpstream.Events.Count; i++)
        {
            var expected = Encoding.UTF8.GetBytes(SteppedSseUpstream.Events[i]);
            var received = new byte[expected.Length];
            await body.ReadExactlyAsync(received, deadline.Token);
            Assert.Equal(SteppedSseUpstream.Events[i], Encoding.UTF8.GetString(received));
            stepped.SendNext();
        }

        // After [DONE] the upstream ends its response; the client's stream ends whole, with nothing more.
        Assert.Equal(0, await body.ReadAsync(new byte[1], deadline.Token));
        await proxy.WaitForMetricAsync("canary_proxy_responses_completed_total 1");
    }

    [Fact]
    public async Task TlsListener_ClientTrustingItsAuthority_AnsweredOverHttp11AndOverHttp2ByAlpn()
    {
        using var authority = new ThrowawayCertificateAuthority("canary-proxy-listener-ca");
        var (certificateFile, keyFile) = authority.WriteLoopbackServerPem(_directory.FullName);
        await using var stable = new FakeVendorApi("stable");
        await using var canary = new FakeVendorApi("canary");
        await using var proxy = await TransportProxy.StartAsync(_directory.FullName, HalfCanaryRollout,
            ProxySdkTests.ProxySettings(stable, canary, $"--Canary:Proxy:TlsCertificateFile={certificateFile}", $"--Canary:Proxy:TlsKeyFile={keyFile}"));
        Assert.StartsWith("https://", proxy.Url, StringComparison.Ordinal);

        foreach (var version in new[] { HttpVersion.Version11, HttpVersion.Version20 })
        {
            using var client = VersionedClient.Trusting(authority.Certificate, version);
            // The same user twice: the subset does not depend on the transport.
            Assert.Equal(await proxy.Sidecar.RouteAsync(Model, "user-tls"), await AskAsync(client, proxy.Url, "user-tls", version));
        }

        // The client's own credential crossed the TLS listener to the upstream unchanged.
        var upstream = stable.Requests.Count > 0 ? stable : canary;
        Assert.Equal(2, upstream.Requests.Count);
        Assert.All(upstream.Requests, r => Assert.Equal("Bearer client-key", r.Authorization));
        await proxy.WaitForMetricAsync("canary_proxy_requests_total{result=\"forwarded\"} 2");
    }

    [Fact]
    public async Task TlsListener_ClientNotTrustingItsAuthority_HandshakeFailsAndNothingIsForwarded()
    {
        using var authority = new ThrowawayCertificateAuthority("canary-proxy-listener-ca");
        using var stranger = new ThrowawayCertificateAuthority("canary-proxy-other-ca");
        var (certificateFile, keyFile) = authority.WriteLoopbackServerPem(_directory.FullName);
        await using var stable = new FakeVendorApi("stable");
        await using var canary = new FakeVendorApi("canary");
        await using var proxy = await TransportProxy.StartAsync(_directory.FullName, HalfCanaryRollout,
            ProxySdkTests.ProxySettings(stable, canary, $"--Canary:Proxy:TlsCertificateFile={certificateFile}", $"--Canary:Proxy:TlsKeyFile={keyFile}"));

        // The system's authorities, and another throwaway authority: neither signed the proxy's certificate.
        using var systemTrust = VersionedClient.Create(HttpVersion.Version11);
        using var otherTrust = VersionedClient.Trusting(stranger.Certificate, HttpVersion.Version20);
        foreach (var (client, version) in new[] { (systemTrust, HttpVersion.Version11), (otherTrust, HttpVersion.Version20) })
        {
            using var request = ChatRequest(proxy.Url, Model, "user-tls", version);
            var failure = await Assert.ThrowsAsync<HttpRequestException>(() => client.SendAsync(request));
            Assert.IsType<AuthenticationException>(failure.InnerException);
        }

        // The same listener answers a client that trusts its authority, so the failures above were the trust check.
        using var trusting = VersionedClient.Trusting(authority.Certificate, HttpVersion.Version11);
        await AskAsync(trusting, proxy.Url, "user-tls", HttpVersion.Version11);
        Assert.Equal(1, stable.Requests.Count + canary.Requests.Count);
        await proxy.WaitForMetricAsync("canary_proxy_requests_total{result=\"forwarded\"} 1");
    }

    [Fact]
    public async Task HttpsUpstream_CaCertificateFileNamesItsAuthority_ReachedOverTlsWithTheInjectedKey()
    {
        using var authority = new ThrowawayCertificateAuthority("canary-upstream-ca");
        using var certificate = authority.IssueLoopbackServerCertificate();
        await using var upstream = await HttpsModelServer.StartAsync("secure", certificate);
        var caFile = authority.WriteCertificatePem(Path.Combine(_directory.FullName, "upstream-ca.pem"));
        var keyFile = Path.Combine(_directory.FullName, "upstream.key");
        await File.WriteAllTextAsync(keyFile, "injected-upstream-key\n");
        await using var proxy = await TransportProxy.StartAsync(_directory.FullName, SecureRollout,
            $"--Canary:Proxy:Upstreams:secure:Url={upstream.Url}", $"--Canary:Proxy:Upstreams:secure:CaCertificateFile={caFile}",
            $"--Canary:Proxy:Upstreams:secure:ApiKeyFile={keyFile}", "--Canary:Proxy:DefaultUpstream=secure");
        using var http = VersionedClient.Create(HttpVersion.Version11);

        using var request = ChatRequest(proxy.Url, "secure-model", "user-secure", HttpVersion.Version11);
        using var response = await http.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using (var answer = JsonDocument.Parse(await response.Content.ReadAsStringAsync()))
        {
            Assert.Equal("hello from secure", answer.RootElement.GetProperty("choices")[0].GetProperty("message").GetProperty("content").GetString());
        }

        // The key from the file replaced the client's; the upstream offered HTTP/2 by ALPN and the proxy took it.
        var seen = Assert.Single(upstream.Requests);
        Assert.Equal(("HTTP/2", "Bearer injected-upstream-key", (string?)null, "secure"), (seen.Protocol, seen.Authorization, seen.ApiKey, seen.Subset));
        Assert.DoesNotContain("injected-upstream-key", proxy.Sidecar.Output, StringComparison.Ordinal);
        await proxy.WaitForMetricAsync("canary_proxy_upstream_failures_total{kind=\"unavailable\"} 0");
        await proxy.WaitForMetricAsync("canary_proxy_responses_completed_total 1");
    }

    [Fact]
    public async Task HttpsUpstream_WithoutCaCertificateFile_502UnavailableAndCounted()
    {
        using var authority = new ThrowawayCertificateAuthority("canary-upstream-ca");
        using var certificate = authority.IssueLoopbackServerCertificate();
        await using var upstream = await HttpsModelServer.StartAsync("secure", certificate);
        // The system's authorities alone: none of them signed the upstream's certificate.
        await using var proxy = await TransportProxy.StartAsync(_directory.FullName, SecureRollout,
            $"--Canary:Proxy:Upstreams:secure:Url={upstream.Url}", "--Canary:Proxy:DefaultUpstream=secure");
        using var http = VersionedClient.Create(HttpVersion.Version11);

        using var request = ChatRequest(proxy.Url, "secure-model", "user-secure", HttpVersion.Version11);
        using var response = await http.SendAsync(request);

        Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
        using (var error = JsonDocument.Parse(await response.Content.ReadAsStringAsync()))
        {
            Assert.Equal("upstream_unavailable", error.RootElement.GetProperty("error").GetProperty("code").GetString());
            Assert.Contains("\"secure\"", error.RootElement.GetProperty("error").GetProperty("message").GetString(), StringComparison.Ordinal);
        }

        Assert.Empty(upstream.Requests);
        await proxy.WaitForMetricAsync("canary_proxy_upstream_failures_total{kind=\"unavailable\"} 1");
    }

    /// <summary>The <see cref="Model"/> rollout: half of the users on canary, the other half on stable.</summary>
    private const string HalfCanaryRollout =
        $$"""{"routeKey": "{{Model}}", "stableSubset": "stable", "canarySubset": "canary", "canaryWeightBasisPoints": 5000, "salt": "transport", "state": "active"}""";

    /// <summary>Everyone on the <c>secure</c> upstream.</summary>
    private const string SecureRollout =
        """{"routeKey": "secure-model", "stableSubset": "secure", "canarySubset": "secure-next", "canaryWeightBasisPoints": 0, "salt": "t", "state": "active"}""";

    private static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    /// <summary>
    /// A chat completion request with a client credential, sent as exactly <paramref name="version"/> (a request
    /// message carries its own version; the client's default applies only to the client's shortcuts).
    /// </summary>
    private static HttpRequestMessage ChatRequest(string proxy, string model, string user, Version version, bool stream = false)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, new Uri(proxy + ChatPath))
        {
            Version = version,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
            Content = Json($$"""{"model":"{{model}}","user":"{{user}}","stream":{{(stream ? "true" : "false")}},"messages":[{"role":"user","content":"hi"}]}"""),
        };
        request.Headers.Add("authorization", "Bearer client-key");
        return request;
    }

    /// <summary>One whole chat completion for <paramref name="user"/> over <paramref name="version"/>; returns the subset whose upstream answered.</summary>
    private static async Task<string> AskAsync(HttpClient client, string proxy, string user, Version version)
    {
        using var request = ChatRequest(proxy, Model, user, version);
        using var response = await client.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(version, response.Version);
        using var answer = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var text = answer.RootElement.GetProperty("choices")[0].GetProperty("message").GetProperty("content").GetString()!;
        Assert.StartsWith("hello from ", text, StringComparison.Ordinal);
        return text["hello from ".Length..];
    }
}
