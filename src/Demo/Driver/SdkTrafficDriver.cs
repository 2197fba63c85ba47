using System.Diagnostics;
using System.Text.Json;

namespace Canary.Demo.Driver;

/// <summary>
/// The demo's traffic in proxy mode: the official <c>openai</c> client (tests/ProxyClients/demo-traffic.mjs, run by
/// Node.js) calling the sidecar's proxy as an application does, with the users and rate of the ext_proc driver. The
/// script prints its running totals as JSON lines; the latest becomes <see cref="Stats"/>.
/// </summary>
internal sealed class SdkTrafficDriver : ITrafficDriver
{
    /// <summary>The response header the proxy names the serving subset in (demo.sh sets Canary:Routing:ServedSubsetHeader to it).</summary>
    public const string ServedSubsetHeader = "x-canary-served-subset";

    private readonly string _script;
    private readonly Uri _proxy;
    private readonly string _model;
    private readonly DriverOptions _options;

    public SdkTrafficDriver(string script, Uri proxy, string model, DriverOptions options)
    {
        _script = script;
        _proxy = proxy;
        _model = model;
        _options = options;
    }

    public DriverStats Stats { get; } = new();

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo("node")
        {
            WorkingDirectory = Path.GetDirectoryName(Path.GetFullPath(_script))!,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var argument in (string[])[
            Path.GetFileName(_script), _proxy.ToString().TrimEnd('/'), _model,
            _options.RequestsPerSecond.ToString(System.Globalization.CultureInfo.InvariantCulture),
            _options.Users.ToString(System.Globalization.CultureInfo.InvariantCulture),
            _options.Seed.ToString(System.Globalization.CultureInfo.InvariantCulture), ServedSubsetHeader])
        {
            start.ArgumentList.Add(argument);
        }

        using var node = Process.Start(start) ?? throw new InvalidOperationException("node did not start");
        var errors = node.StandardError.ReadToEndAsync(CancellationToken.None);
        using var stop = cancellationToken.Register(() =>
        {
            // SIGTERM: the script stops issuing, drains what is in flight and prints its last totals.
            try
            {
                Process.Start("kill", ["-TERM", node.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])?.Dispose();
            }
            catch (System.ComponentModel.Win32Exception)
            {
                node.Kill();
            }
        });
        while (await node.StandardOutput.ReadLineAsync(CancellationToken.None).ConfigureAwait(false) is { } line)
        {
            Absorb(line);
        }

        await node.WaitForExitAsync(CancellationToken.None).ConfigureAwait(false);
        if (node.ExitCode != 0 && !cancellationToken.IsCancellationRequested)
        {
            throw new InvalidOperationException($"demo-traffic.mjs exited with {node.ExitCode}: {await errors.ConfigureAwait(false)}");
        }
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    private void Absorb(string line)
    {
        try
        {
            using var totals = JsonDocument.Parse(line);
            var root = totals.RootElement;
            Interlocked.Exchange(ref Stats.Started, root.GetProperty("started").GetInt64());
            Interlocked.Exchange(ref Stats.Completed, root.GetProperty("completed").GetInt64());
            Interlocked.Exchange(ref Stats.RoutedStable, root.GetProperty("stable").GetInt64());
            Interlocked.Exchange(ref Stats.RoutedCanary, root.GetProperty("canary").GetInt64());
            Interlocked.Exchange(ref Stats.SidecarFailures, root.GetProperty("failures").GetInt64());
            Interlocked.Exchange(ref Stats.InFlight, root.GetProperty("inFlight").GetInt64());
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException)
        {
            // Not a totals line (a warning from Node.js): nothing to count.
        }
    }
}
