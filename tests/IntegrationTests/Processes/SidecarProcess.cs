using Envoy.Config.Core.V3;
using Envoy.Service.ExtProc.V3;
using Google.Protobuf;
using Grpc.Net.Client;

namespace Canary.IntegrationTests.Processes;

/// <summary>
/// A real sidecar as a separate process on loopback ports it binds itself (port 0, read back from its ready line), with
/// a control token file and no database (so a table it holds came from a push). <see cref="RouteAsync"/> asks its ext_proc port which subset a user gets;
/// <see cref="ExchangeAsync"/> runs a whole exchange as Envoy does, with the response status given; <see cref="GetTableAsync"/> reads its control API.
/// </summary>
internal sealed class SidecarProcess : IAsyncDisposable
{
    private readonly ChildProcess _process;
    private readonly GrpcChannel _extProc;

    private SidecarProcess(string name, ChildProcess process, int extProcPort, int controlPort, int metricsPort)
    {
        Name = name;
        _process = process;
        ControlPort = controlPort;
        MetricsPort = metricsPort;
        _extProc = GrpcChannel.ForAddress($"http://127.0.0.1:{extProcPort}");
    }

    public string Name { get; }

    public int ControlPort { get; }

    /// <summary>The port of its <c>/metrics</c> (HTTP/1.1).</summary>
    public int MetricsPort { get; }

    public string Endpoint => $"{Name}=127.0.0.1:{ControlPort}";

    /// <summary>A channel to its ext_proc port, for tests that run an exchange message by message as Envoy does.</summary>
    public GrpcChannel ExtProc => _extProc;

    public string Output => _process.Output;

    /// <param name="name">The sidecar id, also its name in the analyzer's static endpoint list.</param>
    /// <param name="tokenFile">The control token file the sidecar reads.</param>
    /// <param name="controlPort">A control port fixed in advance (a sidecar the analyzer already knows of); null binds port 0.</param>
    /// <param name="settings">More settings (<c>--Canary:...=...</c>), such as a start-up rollouts file.</param>
    public static async Task<SidecarProcess> StartAsync(string name, string tokenFile, int? controlPort = null, params string[] settings)
    {
        var process = ChildProcess.Start(CanaryProgram.Sidecar,
        [
            $"--Canary:SidecarId={name}", "--Canary:ExtProc:Port=0", $"--Canary:Control:Port={controlPort ?? 0}",
            "--Canary:Metrics:Port=0", "--Canary:Control:BindAddress=127.0.0.1", "--Canary:Metrics:BindAddress=127.0.0.1",
            $"--Canary:Control:TokenFile={tokenFile}", .. settings,
        ]);
        try
        {
            var ports = await process.WaitForSidecarPortsAsync();
            return new SidecarProcess(name, process, ports.ExtProc, ports.Control, ports.Metrics);
        }
        catch
        {
            await process.DisposeAsync();
            throw;
        }
    }

    /// <summary>The subset the sidecar assigns to <paramref name="user"/> on <paramref name="authority"/> (with <paramref name="more"/> request headers), over one ext_proc stream.</summary>
    public async Task<string?> RouteAsync(string authority, string user, params (string Name, string Value)[] more)
    {
        var client = new ExternalProcessor.ExternalProcessorClient(_extProc);
        using var call = client.Process();
        var headers = new HeaderMap();
        headers.Headers.Add(new HeaderValue { Key = ":authority", RawValue = ByteString.CopyFromUtf8(authority) });
        headers.Headers.Add(new HeaderValue { Key = "x-user-id", RawValue = ByteString.CopyFromUtf8(user) });
        foreach (var (name, value) in more)
        {
            headers.Headers.Add(new HeaderValue { Key = name, RawValue = ByteString.CopyFromUtf8(value) });
        }

        await call.RequestStream.WriteAsync(new ProcessingRequest { RequestHeaders = new HttpHeaders { Headers = headers, EndOfStream = true } });
        Assert.True(await call.ResponseStream.MoveNext(CancellationToken.None));
        var mutation = call.ResponseStream.Current.RequestHeaders.Response.HeaderMutation;
        await call.RequestStream.CompleteAsync();
        foreach (var set in mutation.SetHeaders)
        {
            if (set.Header.Key == "x-canary-subset")
            {
                return set.Header.RawValue.ToStringUtf8();
            }
        }

        return null;
    }

    /// <summary>
    /// One exchange as Envoy runs it: request headers (the sidecar picks the subset), then the upstream's response
    /// headers with the status <paramref name="statusFor"/> gives for the subset chosen, then the stream's end. Returns
    /// the subset the sidecar chose.
    /// </summary>
    public async Task<string?> ExchangeAsync(string authority, string user, Func<string?, int> statusFor)
    {
        var client = new ExternalProcessor.ExternalProcessorClient(_extProc);
        using var call = client.Process();
        var request = new HeaderMap();
        request.Headers.Add(new HeaderValue { Key = ":authority", RawValue = ByteString.CopyFromUtf8(authority) });
        request.Headers.Add(new HeaderValue { Key = "x-user-id", RawValue = ByteString.CopyFromUtf8(user) });
        await call.RequestStream.WriteAsync(new ProcessingRequest { RequestHeaders = new HttpHeaders { Headers = request, EndOfStream = true } });
        Assert.True(await call.ResponseStream.MoveNext(CancellationToken.None));
        string? subset = null;
        foreach (var set in call.ResponseStream.Current.RequestHeaders.Response.HeaderMutation.SetHeaders)
        {
            subset = set.Header.Key == "x-canary-subset" ? set.Header.RawValue.ToStringUtf8() : subset;
        }

        var response = new HeaderMap();
        response.Headers.Add(new HeaderValue { Key = ":status", RawValue = ByteString.CopyFromUtf8(statusFor(subset).ToString(System.Globalization.CultureInfo.InvariantCulture)) });
        await call.RequestStream.WriteAsync(new ProcessingRequest { ResponseHeaders = new HttpHeaders { Headers = response, EndOfStream = true } });
        Assert.True(await call.ResponseStream.MoveNext(CancellationToken.None));
        await call.RequestStream.CompleteAsync();
        while (await call.ResponseStream.MoveNext(CancellationToken.None))
        {
        }

        return subset;
    }

    /// <summary>The sidecar's control API <c>GetTable</c>: the table in force, its source and the tripwire's trips.</summary>
    public async Task<Canary.Contracts.V1.GetTableResponse> GetTableAsync(string token)
    {
        using var control = GrpcChannel.ForAddress($"http://127.0.0.1:{ControlPort}");
        var client = new Canary.Contracts.V1.RolloutControl.RolloutControlClient(control);
        return await client.GetTableAsync(new Canary.Contracts.V1.GetTableRequest(), new Grpc.Core.Metadata { { "authorization", "Bearer " + token } });
    }

    public async ValueTask DisposeAsync()
    {
        _extProc.Dispose();
        await _process.DisposeAsync();
    }
}
