using Canary.Sidecar.Hosting;
using Grpc.Net.Client;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;

namespace Canary.Sidecar.FunctionalTests;

/// <summary>
/// Runs the real sidecar host (Kestrel on loopback, real sockets) with a rollout table file. Every listener binds port
/// 0 and the host reads back the ports Kestrel bound, so parallel tests never race each other for a port.
/// </summary>
public sealed class SidecarHost : IAsyncLifetime, IAsyncDisposable
{
    public const string RolloutsJson = """
        {
          "generation": 7,
          "rollouts": [
            { "routeKey": "chat.example.internal", "stableSubset": "stable", "canarySubset": "canary",
              "canaryWeightBasisPoints": 2500, "salt": "functional", "forcedCanaryUsers": ["tester"] },
            { "routeKey": "api.provider.example", "stableSubset": "provider-stable", "canarySubset": "provider-canary",
              "canaryWeightBasisPoints": 0, "salt": "rewrite", "forcedCanaryUsers": ["tester"],
              "stableModel": "gpt-4o", "canaryModel": "gpt-5" }
          ]
        }
        """;

    private readonly string _directory = Directory.CreateTempSubdirectory("canary-functional-").FullName;
    private readonly string[] _extraArgs;
    private readonly string? _rolloutsJson;
    private readonly Action<WebApplicationBuilder>? _configure;
    private WebApplication? _app;

    public SidecarHost()
        : this([])
    {
    }

    /// <param name="extraArgs">More command-line settings (<c>--Canary:...=...</c>), appended after the defaults.</param>
    /// <param name="rolloutsJson">The start-up table; null starts without a rollouts file.</param>
    /// <param name="configure">Runs on the host's builder after the sidecar's own logging filters (a test's log
    /// provider, for example).</param>
    internal SidecarHost(IEnumerable<string> extraArgs, string? rolloutsJson = RolloutsJson, Action<WebApplicationBuilder>? configure = null)
    {
        _extraArgs = [.. extraArgs];
        _rolloutsJson = rolloutsJson;
        _configure = configure;
    }

    /// <summary>A scratch directory deleted with the host (token files, cache files).</summary>
    public string ScratchDirectory => _directory;

    public int ExtProcPort => Endpoints.ExtProcPort;

    public int ControlPort => Endpoints.ControlPort;

    public int MetricsPort => Endpoints.MetricsPort;

    private ListenerEndpoints Endpoints => _app!.Services.GetRequiredService<ListenerEndpoints>();

    public GrpcChannel Channel { get; private set; } = null!;

    public IServiceProvider Services => _app!.Services;

    public async Task InitializeAsync()
    {
        List<string> args =
        [
            "--Canary:ExtProc:Port=0",
            "--Canary:Control:Port=0",
            "--Canary:Control:BindAddress=127.0.0.1",
            "--Canary:Metrics:Port=0",
            $"--Canary:Metrics:BindAddress=127.0.0.1",
            "--Canary:Routing:RandomSeed=5",
        ];
        if (_rolloutsJson is not null)
        {
            var rollouts = Path.Combine(_directory, "rollouts.json");
            await File.WriteAllTextAsync(rollouts, _rolloutsJson);
            args.Add($"--Canary:Routing:RolloutsFile={rollouts}");
        }

        args.AddRange(_extraArgs);
        _app = SidecarApplication.Build([.. args], _configure);
        await _app.StartAsync();
        Channel = GrpcChannel.ForAddress($"http://127.0.0.1:{ExtProcPort}", new GrpcChannelOptions
        {
            HttpHandler = new SocketsHttpHandler { EnableMultipleHttp2Connections = false },
        });
    }

    public async Task DisposeAsync()
    {
        Channel?.Dispose();
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }

        Directory.Delete(_directory, recursive: true);
    }

    ValueTask IAsyncDisposable.DisposeAsync() => new(DisposeAsync());

    public async Task<string> GetMetricsAsync()
    {
        using var http = new HttpClient();
        return await http.GetStringAsync($"http://127.0.0.1:{MetricsPort}/metrics");
    }

    /// <summary>A new channel to the control port (cleartext HTTP/2); the caller disposes it.</summary>
    public GrpcChannel CreateControlChannel() =>
        GrpcChannel.ForAddress($"http://127.0.0.1:{ControlPort}", new GrpcChannelOptions
        {
            HttpHandler = new SocketsHttpHandler { EnableMultipleHttp2Connections = false },
        });
}
