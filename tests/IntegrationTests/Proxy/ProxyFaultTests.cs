using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Canary.IntegrationTests.Postgres;
using Canary.IntegrationTests.Processes;
using Canary.IntegrationTests.StandIns;
using Npgsql;

namespace Canary.IntegrationTests.Proxy;

/// <summary>
/// The proxy mode's answers to bad input and faults, through the real sidecar process and real sockets: an upstream
/// that is down or slow (502, 504, in the API's own error shape), one that breaks off mid-stream, a client that goes
/// away mid-stream (the upstream request is cancelled, the exchange recorded as cancelled in PostgreSQL), an
/// oversized body (413), a body that is not JSON (passed through unchanged), unknown routes (refused when so
/// configured), a model rewrite, and configuration refused at start.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class ProxyFaultTests
{
    private readonly PostgresServerFixture _postgres;

    public ProxyFaultTests(PostgresServerFixture postgres)
    {
        _postgres = postgres;
    }

    [Fact]
    public async Task UpstreamDown_Request_502InEachApisErrorShapeAndCounted()
    {
        await using var faulty = new FaultyUpstream();
        await using var proxy = await ProxyUnderTest.StartAsync(faulty, $"--Canary:Proxy:Upstreams:down:Url=http://127.0.0.1:{ClosedPort()}");
        using var http = new HttpClient();

        using var openAI = await http.PostAsync(new Uri($"{proxy.Url}/v1/chat/completions"), Json("""{"model":"down-model","messages":[]}"""));
        Assert.Equal(HttpStatusCode.BadGateway, openAI.StatusCode);
        using (var error = JsonDocument.Parse(await openAI.Content.ReadAsStringAsync()))
        {
            Assert.Equal("upstream_unavailable", error.RootElement.GetProperty("error").GetProperty("code").GetString());
            Assert.Equal("server_error", error.RootElement.GetProperty("error").GetProperty("type").GetString());
            Assert.Contains("\"down\"", error.RootElement.GetProperty("error").GetProperty("message").GetString(), StringComparison.Ordinal);
        }

        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri($"{proxy.Url}/v1/messages")) { Content = Json("""{"model":"down-model","max_tokens":1,"messages":[]}""") };
        request.Headers.Add("anthropic-version", "2023-06-01");
        using var anthropic = await http.SendAsync(request);
        Assert.Equal(HttpStatusCode.BadGateway, anthropic.StatusCode);
        using (var error = JsonDocument.Parse(await anthropic.Content.ReadAsStringAsync()))
        {
            Assert.Equal("error", error.RootElement.GetProperty("type").GetString());
            Assert.Equal("api_error", error.RootElement.GetProperty("error").GetProperty("type").GetString());
        }

        await proxy.WaitForMetricAsync("canary_proxy_upstream_failures_total{kind=\"unavailable\"} 2");
    }

    [Fact]
    public async Task UpstreamSlow_NoResponseWithinTimeout_504AndCounted()
    {
        await using var faulty = new FaultyUpstream();
        await using var proxy = await ProxyUnderTest.StartAsync(faulty);
        using var http = new HttpClient();

        using var response = await http.PostAsync(new Uri($"{proxy.Url}/v1/slow"), Json("""{"model":"unmatched","messages":[]}"""));

        Assert.Equal(HttpStatusCode.GatewayTimeout, response.StatusCode);
        using var error = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal("upstream_timeout", error.RootElement.GetProperty("error").GetProperty("code").GetString());
        await proxy.WaitForMetricAsync("canary_proxy_upstream_failures_total{kind=\"timeout\"} 1");
    }

    [Fact]
    public async Task UpstreamBreaksOffMidStream_ClientStreamCutAndCounted()
    {
        await using var faulty = new FaultyUpstream();
        await using var breaking = new BreakingUpstream();
        await using var proxy = await ProxyUnderTest.StartAsync(faulty, $"--Canary:Proxy:Upstreams:breaking:Url={breaking.Url}");
        using var http = new HttpClient();

        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri($"{proxy.Url}/v1/chat/completions")) { Content = Json("""{"model":"broken-model","stream":true}""") };
        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        // The status and the first event were already sent when the upstream broke off: the client's stream is cut,
        // never ended as if the answer were whole.
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        await using var stream = await response.Content.ReadAsStreamAsync();
        var first = new byte[FaultyUpstream.FirstEvent.Length];
        await stream.ReadExactlyAsync(first);
        Assert.Equal(FaultyUpstream.FirstEvent, Encoding.UTF8.GetString(first));
        breaking.BreakOff();
        await Assert.ThrowsAnyAsync<IOException>(async () =>
        {
            var rest = new byte[1024];
            while (await stream.ReadAsync(rest) > 0)
            {
            }
        });
        await proxy.WaitForMetricAsync("canary_proxy_upstream_failures_total{kind=\"broke_off_mid_stream\"} 1");
        await proxy.WaitForMetricAsync("canary_proxy_client_cancelled_total{when=\"mid_stream\"} 0");
        await proxy.WaitForMetricAsync("canary_proxy_responses_completed_total 0");
    }

    [Fact]
    public async Task UpstreamStallsMidStream_ClientStreamCutAfterTheTimeoutAndCountedAsStalled()
    {
        await using var faulty = new FaultyUpstream();
        await using var stalling = new BreakingUpstream();
        await using var proxy = await ProxyUnderTest.StartAsync(
            faulty, $"--Canary:Proxy:Upstreams:breaking:Url={stalling.Url}", "--Canary:Proxy:Upstreams:breaking:Timeout=00:00:01");
        using var http = new HttpClient();

        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri($"{proxy.Url}/v1/chat/completions")) { Content = Json("""{"model":"broken-model","stream":true}""") };
        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        await using var stream = await response.Content.ReadAsStreamAsync();
        var first = new byte[FaultyUpstream.FirstEvent.Length];
        await stream.ReadExactlyAsync(first);
        // The upstream sends nothing more and keeps its connection open: a second without progress ends the exchange.
        await Assert.ThrowsAnyAsync<IOException>(async () =>
        {
            var rest = new byte[1024];
            while (await stream.ReadAsync(rest) > 0)
            {
            }
        });
        await proxy.WaitForMetricAsync("canary_proxy_upstream_failures_total{kind=\"stalled_mid_stream\"} 1");
        await proxy.WaitForMetricAsync("canary_proxy_client_cancelled_total{when=\"mid_stream\"} 0");
        await proxy.WaitForMetricAsync("canary_proxy_responses_completed_total 0");
    }

    [PostgresFact]
    public async Task ClientGoesAwayMidStream_UpstreamRequestCancelledAndExchangeRecordedCancelled()
    {
        await using var dataSource = await _postgres.CreateDatabaseAsync();
        await using var faulty = new FaultyUpstream();
        await using var proxy = await ProxyUnderTest.StartAsync(faulty, $"--Canary:Database:ConnectionString={dataSource.ConnectionString}", "--Canary:Telemetry:FlushInterval=00:00:01");
        using (var http = new HttpClient())
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, new Uri($"{proxy.Url}/v1/endless")) { Content = Json("""{"model":"endless-model","stream":true,"user":"u1"}""") };
            using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
            await using var stream = await response.Content.ReadAsStreamAsync();
            // The first event arrives while the upstream is still streaming: nothing is held back.
            var first = new byte[FaultyUpstream.FirstEvent.Length];
            await stream.ReadExactlyAsync(first);
            Assert.Equal(FaultyUpstream.FirstEvent, Encoding.UTF8.GetString(first));
        }

        // The client's connection is closed (HttpClient disposed): the proxy cancels the upstream request.
        await faulty.EndlessCancelled.WaitAsync(Eventually.DefaultTimeout);
        await proxy.WaitForMetricAsync("canary_proxy_client_cancelled_total{when=\"mid_stream\"} 1");
        await Eventually.UntilAsync(
            async () =>
            {
                try
                {
                    await using var command = dataSource.CreateCommand("SELECT coalesce(sum(value), 0)::bigint FROM interval_counters WHERE rollout = 'endless-model' AND counter = 'cancelled_by_client'");
                    return (long)(await command.ExecuteScalarAsync())!;
                }
                catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UndefinedTable)
                {
                    return 0L;
                }
            },
            cancelled => cancelled == 1,
            "the exchange's cancelled_by_client row");
    }

    [Fact]
    public async Task OversizedBody_OverLimit_413WithoutReachingUpstream()
    {
        await using var faulty = new FaultyUpstream();
        await using var proxy = await ProxyUnderTest.StartAsync(faulty, "--Canary:Proxy:MaxRequestBodyBytes=2048");
        using var http = new HttpClient();

        using var response = await http.PostAsync(new Uri($"{proxy.Url}/v1/echo"), Json($$"""{"model":"unmatched","pad":"{{new string('x', 4096)}}"}"""));

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        using var error = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal("request_too_large", error.RootElement.GetProperty("error").GetProperty("code").GetString());
        await proxy.WaitForMetricAsync("canary_proxy_requests_total{result=\"refused_too_large\"} 1");
        await proxy.WaitForMetricAsync("canary_proxy_requests_total{result=\"forwarded_unmatched\"} 0");
    }

    [Fact]
    public async Task NonJsonBody_PassedThroughUnchanged_CountedNotJson()
    {
        await using var faulty = new FaultyUpstream();
        await using var proxy = await ProxyUnderTest.StartAsync(faulty);
        using var http = new HttpClient();
        var body = new byte[] { 0x7B, 0x6E, 0x6F, 0x74, 0x20, 0x6A, 0x73, 0x6F, 0x6E, 0xFF, 0x00, 0x0A };

        using var content = new ByteArrayContent(body);
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/octet-stream");
        using var response = await http.PostAsync(new Uri($"{proxy.Url}/v1/echo"), content);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(body, await response.Content.ReadAsByteArrayAsync());
        await proxy.WaitForMetricAsync("canary_proxy_request_bodies_total{kind=\"not_json\"} 1");
        await proxy.WaitForMetricAsync("canary_proxy_requests_total{result=\"forwarded_unmatched\"} 1");
    }

    [Fact]
    public async Task UnknownRoute_RefuseConfigured_404AndCounted()
    {
        await using var faulty = new FaultyUpstream();
        await using var proxy = await ProxyUnderTest.StartAsync(faulty, "--Canary:Proxy:UnmatchedRequests=Refuse");
        using var http = new HttpClient();

        using var response = await http.PostAsync(new Uri($"{proxy.Url}/v1/echo"), Json("""{"model":"nobody-rolls-this-out"}"""));

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        using var error = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal("canary_no_rollout", error.RootElement.GetProperty("error").GetProperty("code").GetString());
        await proxy.WaitForMetricAsync("canary_proxy_requests_total{result=\"refused_unmatched\"} 1");
    }

    [Fact]
    public async Task ModelRewriteRollout_CanaryUsers_BodyRewrittenToCanaryModelOthersUnchanged()
    {
        await using var faulty = new FaultyUpstream();
        await using var proxy = await ProxyUnderTest.StartAsync(faulty);
        using var http = new HttpClient();
        var seen = new HashSet<string>();
        for (var user = 0; user < 40; user++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, new Uri($"{proxy.Url}/v1/echo")) { Content = Json($$"""{"model":"rewrite-model","user":"u{{user}}","messages":[]}""") };
            using var response = await http.SendAsync(request);
            var echoed = await response.Content.ReadAsStringAsync();
            var subset = response.Headers.GetValues("x-echo-subset").Single();
            var expected = subset == "v2" ? """{"model":"rewrite-model-v2","user":""" : """{"model":"rewrite-model","user":""";
            Assert.StartsWith(expected, echoed, StringComparison.Ordinal);
            seen.Add(subset);
        }

        Assert.Equal(["v1", "v2"], seen.Order());
    }

    [Fact]
    public async Task Start_InvalidProxyConfiguration_ExitsWithEveryErrorListed()
    {
        await using var process = ChildProcess.Start(CanaryProgram.Sidecar,
        [
            "--Canary:ExtProc:Port=0", "--Canary:Control:Port=0", "--Canary:Metrics:Port=0", "--Canary:Control:AllowUnauthenticated=true",
            "--Canary:Proxy:Enabled=true", "--Canary:Proxy:Port=0", "--Canary:Proxy:Upstreams:a:Url=ftp://example",
            "--Canary:Proxy:Upstreams:b:Url=http://127.0.0.1:1", "--Canary:Proxy:Upstreams:b:ApiKeyFile=/nonexistent/key",
            "--Canary:Proxy:MaxRequestBodyBytes=10", "--Canary:Proxy:Colour=blue",
        ]);

        Assert.Equal(2, await process.WaitForExitAsync(Eventually.DefaultTimeout));
        var errors = process.Error;
        Assert.Contains("Canary:Proxy:Colour: unknown setting", errors, StringComparison.Ordinal);
        Assert.Contains("Canary:Proxy:Upstreams:a:Url", errors, StringComparison.Ordinal);
        Assert.Contains("Canary:Proxy:Upstreams:b:ApiKeyFile", errors, StringComparison.Ordinal);
        Assert.Contains("Canary:Proxy:MaxRequestBodyBytes", errors, StringComparison.Ordinal);
        Assert.Contains("Canary:Proxy:DefaultUpstream", errors, StringComparison.Ordinal);
    }

    private static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    /// <summary>A loopback port nothing listens on: bound by the kernel, then released.</summary>
    private static int ClosedPort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }

    /// <summary>
    /// A sidecar in proxy mode with the faulty upstream as its default (and the subsets v1, v2 of the rewrite rollout)
    /// and a one-second upstream timeout; rollouts: <c>down-model</c> (served by the <c>down</c> upstream when it is
    /// configured), <c>broken-model</c> (served by the <c>breaking</c> upstream when it is configured), <c>endless-model</c> (all stable, on the faulty upstream) and <c>rewrite-model</c> (half of the
    /// users rewritten to <c>rewrite-model-v2</c>, one upstream for both).
    /// </summary>
    private sealed class ProxyUnderTest : IAsyncDisposable
    {
        private readonly SidecarProcess _sidecar;
        private readonly DirectoryInfo _directory;

        private ProxyUnderTest(SidecarProcess sidecar, DirectoryInfo directory, string url)
        {
            _sidecar = sidecar;
            _directory = directory;
            Url = url;
        }

        public string Url { get; }

        public static async Task<ProxyUnderTest> StartAsync(FaultyUpstream faulty, params string[] more)
        {
            var directory = Directory.CreateTempSubdirectory("canary-proxy-faults-");
            var token = Path.Combine(directory.FullName, "token");
            await File.WriteAllTextAsync(token, "proxy-faults-token");
            var rollouts = Path.Combine(directory.FullName, "rollouts.json");
            await File.WriteAllTextAsync(rollouts, """
                {"generation": 1, "rollouts": [
                  {"routeKey": "down-model", "stableSubset": "down", "canarySubset": "down-next", "canaryWeightBasisPoints": 0, "salt": "d", "state": "active"},
                  {"routeKey": "broken-model", "stableSubset": "breaking", "canarySubset": "breaking-next", "canaryWeightBasisPoints": 0, "salt": "b", "state": "active"},
                  {"routeKey": "endless-model", "stableSubset": "faulty", "canarySubset": "faulty-next", "canaryWeightBasisPoints": 0, "salt": "e", "state": "active"},
                  {"routeKey": "rewrite-model", "stableSubset": "v1", "canarySubset": "v2", "canaryWeightBasisPoints": 5000, "salt": "r", "state": "active", "stableModel": "rewrite-model", "canaryModel": "rewrite-model-v2"}
                ]}
                """);
            var sidecar = await SidecarProcess.StartAsync("proxy-faults", token, null,
            [
                $"--Canary:Routing:RolloutsFile={rollouts}",
                "--Canary:Proxy:Enabled=true", "--Canary:Proxy:Port=0", "--Canary:Proxy:BindAddress=127.0.0.1",
                $"--Canary:Proxy:Upstreams:faulty:Url={faulty.Url}", "--Canary:Proxy:Upstreams:faulty:Timeout=00:00:01",
                "--Canary:Proxy:DefaultUpstream=faulty", .. more,
            ]);
            return new ProxyUnderTest(sidecar, directory, await ProxySdkTests.ProxyUrlAsync(sidecar));
        }

        public Task WaitForMetricAsync(string sample) =>
            Eventually.UntilAsync(() => ProxySdkTests.ScrapeAsync(_sidecar.MetricsPort), scrape => scrape.Contains(sample, StringComparison.Ordinal), sample);

        public async ValueTask DisposeAsync()
        {
            await _sidecar.DisposeAsync();
            _directory.Delete(recursive: true);
        }
    }
}
