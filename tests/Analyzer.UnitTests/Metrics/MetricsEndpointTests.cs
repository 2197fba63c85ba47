using System.Net;
using System.Net.Sockets;
using Canary.Analyzer.Metrics;

namespace Canary.Analyzer.UnitTests.Metrics;

/// <summary>The metrics endpoint on a real loopback socket, on a port the kernel picks.</summary>
public sealed class MetricsEndpointTests : IAsyncLifetime
{
    private const string Exposition = "# TYPE canary_analyzer_runs_total counter\ncanary_analyzer_runs_total{result=\"ok\"} 3\n";
    private readonly MetricsEndpoint _endpoint = new(new IPEndPoint(IPAddress.Loopback, 0), () => Exposition);
    private readonly HttpClient _http = new();

    public Task InitializeAsync() => _endpoint.StartAsync(CancellationToken.None);

    public async Task DisposeAsync()
    {
        _http.Dispose();
        await _endpoint.DisposeAsync();
    }

    [Fact]
    public async Task Get_Metrics_AnswersTheExpositionAsPrometheusText()
    {
        using var response = await _http.GetAsync(Url("/metrics"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(MetricsExposition.ContentType, response.Content.Headers.ContentType!.ToString());
        Assert.True(response.Headers.ConnectionClose);
        Assert.Equal(Exposition, await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Head_Metrics_AnswersTheLengthWithoutTheBody()
    {
        using var response = await _http.SendAsync(new HttpRequestMessage(HttpMethod.Head, Url("/metrics")));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(System.Text.Encoding.UTF8.GetByteCount(Exposition), response.Content.Headers.ContentLength);
        Assert.Empty(await response.Content.ReadAsByteArrayAsync());
    }

    [Theory]
    [InlineData("GET", "/")]
    [InlineData("GET", "/metrics/extra")]
    [InlineData("POST", "/metrics")]
    public async Task Request_AnythingElse_NotFound(string method, string path)
    {
        using var response = await _http.SendAsync(new HttpRequestMessage(new HttpMethod(method), Url(path)));

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("not found: the analyzer serves GET /metrics\n", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task StopAsync_Stopped_RefusesConnections()
    {
        var port = _endpoint.BoundEndpoint!.Port;

        await _endpoint.StopAsync(CancellationToken.None);

        using var client = new TcpClient();
        await Assert.ThrowsAsync<SocketException>(() => client.ConnectAsync(IPAddress.Loopback, port));
    }

    [Fact]
    public void BoundEndpoint_PortZeroAsked_NamesThePortTheKernelPicked()
    {
        Assert.Equal(IPAddress.Loopback, _endpoint.BoundEndpoint!.Address);
        Assert.NotEqual(0, _endpoint.BoundEndpoint.Port);
    }

    private Uri Url(string path) => new($"http://127.0.0.1:{_endpoint.BoundEndpoint!.Port}{path}");
}
