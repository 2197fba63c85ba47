using Canary.IntegrationTests.Processes;

namespace Canary.IntegrationTests.Proxy;

/// <summary>
/// A sidecar process in proxy mode on a port it binds itself, with the rollouts and proxy settings a transport test
/// gives; its URL (http, or https when it serves TLS) and scheme are read from its ready line.
/// </summary>
internal sealed class TransportProxy : IAsyncDisposable
{
    private TransportProxy(SidecarProcess sidecar, string url)
    {
        Sidecar = sidecar;
        Url = url;
    }

    public SidecarProcess Sidecar { get; }

    /// <summary>The proxy's base URL: <c>http://127.0.0.1:port</c>, or <c>https://...</c> with a certificate.</summary>
    public string Url { get; }

    /// <param name="directory">Where the token and rollouts files are written (the test deletes it).</param>
    /// <param name="rollouts">The rollouts of the start-up table, as JSON objects of its <c>rollouts</c> array.</param>
    /// <param name="settings">The <c>--Canary:Proxy:...</c> settings (upstreams, TLS); enabling and port 0 are added.</param>
    public static async Task<TransportProxy> StartAsync(string directory, string rollouts, params string[] settings)
    {
        var token = Path.Combine(directory, "token");
        await File.WriteAllTextAsync(token, "proxy-transport-token");
        var table = Path.Combine(directory, "rollouts.json");
        await File.WriteAllTextAsync(table, $$"""{"generation": 1, "rollouts": [{{rollouts}}]}""");
        var sidecar = await SidecarProcess.StartAsync("proxy-transport", token, null,
        [
            $"--Canary:Routing:RolloutsFile={table}",
            "--Canary:Proxy:Enabled=true", "--Canary:Proxy:Port=0", "--Canary:Proxy:BindAddress=127.0.0.1", .. settings,
        ]);
        try
        {
            return new TransportProxy(sidecar, await ProxySdkTests.ProxyUrlAsync(sidecar));
        }
        catch
        {
            await sidecar.DisposeAsync();
            throw;
        }
    }

    /// <summary>Waits until the sidecar's <c>/metrics</c> shows <paramref name="sample"/> (a whole sample line, name and value).</summary>
    public Task WaitForMetricAsync(string sample) =>
        Eventually.UntilAsync(() => ProxySdkTests.ScrapeAsync(Sidecar.MetricsPort), scrape => scrape.Split('\n').Contains(sample), sample);

    public ValueTask DisposeAsync() => Sidecar.DisposeAsync();
}
