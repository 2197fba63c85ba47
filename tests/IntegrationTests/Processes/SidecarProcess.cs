using Envoy.Config.Core.V3;
using Envoy.Service.ExtProc.V3;
using Google.Protobuf;
using Grpc.Net.Client;

namespace Canary.IntegrationTests.Processes;

/// <summary>
/// A real sidecar as a separate process on loopback ports, with a control token file and no database (so a table it
/// holds came from a push). <see cref="RouteAsync"/> asks its ext_proc port which subset a user gets.
/// </summary>
internal sealed class SidecarProcess : IAsyncDisposable
{
    private readonly ChildProcess _process;
    private readonly GrpcChannel _extProc;

    private SidecarProcess(string name, ChildProcess process, int extProcPort, int controlPort)
    {
        Name = name;
        _process = process;
        ControlPort = controlPort;
        _extProc = GrpcChannel.ForAddress($"http://127.0.0.1:{extProcPort}");
    }

    public string Name { get; }

    public int ControlPort { get; }

    public string Endpoint => $"{Name}=127.0.0.1:{ControlPort}";

    public string Output => _process.Output;

    public static async Task<SidecarProcess> StartAsync(string name, string tokenFile, int? controlPort = null)
    {
        int extProc = LoopbackPort.Free(), control = controlPort ?? LoopbackPort.Free(), metrics = LoopbackPort.Free();
        var process = ChildProcess.Start(CanaryProgram.Sidecar,
        [
            $"--Canary:SidecarId={name}", $"--Canary:ExtProc:Port={extProc}", $"--Canary:Control:Port={control}",
            $"--Canary:Metrics:Port={metrics}", "--Canary:Control:BindAddress=127.0.0.1", "--Canary:Metrics:BindAddress=127.0.0.1",
            $"--Canary:Control:TokenFile={tokenFile}",
        ]);
        try
        {
            await process.WaitForOutputAsync("Application started", TimeSpan.FromSeconds(60));
        }
        catch
        {
            await process.DisposeAsync();
            throw;
        }

        return new SidecarProcess(name, process, extProc, control);
    }

    /// <summary>The subset the sidecar assigns to <paramref name="user"/> on <paramref name="authority"/>, over one ext_proc stream.</summary>
    public async Task<string?> RouteAsync(string authority, string user)
    {
        var client = new ExternalProcessor.ExternalProcessorClient(_extProc);
        using var call = client.Process();
        var headers = new HeaderMap();
        headers.Headers.Add(new HeaderValue { Key = ":authority", RawValue = ByteString.CopyFromUtf8(authority) });
        headers.Headers.Add(new HeaderValue { Key = "x-user-id", RawValue = ByteString.CopyFromUtf8(user) });
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

    public async ValueTask DisposeAsync()
    {
        _extProc.Dispose();
        await _process.DisposeAsync();
    }
}
