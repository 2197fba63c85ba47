using Envoy.Config.Core.V3;
using Envoy.Service.ExtProc.V3;
using Google.Protobuf;
using Grpc.Core;
using Grpc.Health.V1;
using Grpc.Net.Client;

namespace Canary.Sidecar.FunctionalTests;

/// <summary>
/// Runs the published Native-AOT binary named by CANARY_AOT_BINARY: it starts, answers gRPC health, serves one ext_proc
/// stream correctly and exits cleanly on SIGTERM. .ci/run publishes the binary and sets the variable; under CI a
/// missing binary is a failure, on a laptop the test is skipped.
/// </summary>
public sealed class AotBinarySmokeTests
{
    [SkippableAotFact]
    public async Task AotBinary_StartsServesAndStopsOnSigterm()
    {
        var binary = Environment.GetEnvironmentVariable("CANARY_AOT_BINARY")!;
        var directory = Directory.CreateTempSubdirectory("canary-aot-").FullName;
        var rollouts = Path.Combine(directory, "rollouts.json");
        await File.WriteAllTextAsync(rollouts, SidecarHost.RolloutsJson);
        // Port 0 everywhere: the binary reports the ports it bound in its ready line, as it does in production.
        await using var process = ChildProcess.Start(
            new CanaryProgram(binary, [], IsNativeAot: true),
            [
                "--Canary:ExtProc:Port=0", "--Canary:Control:Port=0", "--Canary:Metrics:Port=0",
                "--Canary:Control:BindAddress=127.0.0.1", "--Canary:Metrics:BindAddress=127.0.0.1",
                $"--Canary:Routing:RolloutsFile={rollouts}",
            ],
            new Dictionary<string, string> { ["CANARY_CONTROL_TOKEN"] = "aot-token" });
        try
        {
            var (extProc, control, metrics) = await process.WaitForSidecarPortsAsync();
            using var channel = GrpcChannel.ForAddress($"http://127.0.0.1:{extProc}");
            var health = new Health.HealthClient(channel);
            var reply = await health.CheckAsync(new HealthCheckRequest());
            Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, reply.Status);

            var client = new ExternalProcessor.ExternalProcessorClient(channel);
            using (var call = client.Process())
            {
                var headers = new HeaderMap();
                headers.Headers.Add(new HeaderValue { Key = ":authority", RawValue = ByteString.CopyFromUtf8("chat.example.internal") });
                headers.Headers.Add(new HeaderValue { Key = "x-user-id", RawValue = ByteString.CopyFromUtf8("tester") });
                await call.RequestStream.WriteAsync(new ProcessingRequest { RequestHeaders = new HttpHeaders { Headers = headers, EndOfStream = true } });
                Assert.True(await call.ResponseStream.MoveNext());
                var set = Assert.Single(call.ResponseStream.Current.RequestHeaders.Response.HeaderMutation.SetHeaders);
                Assert.Equal("canary", set.Header.RawValue.ToStringUtf8());
                Assert.True(call.ResponseStream.Current.RequestHeaders.Response.ClearRouteCache);
                await call.RequestStream.CompleteAsync();
                Assert.False(await call.ResponseStream.MoveNext());
            }

            // The control API under AOT: token from the environment, a refused and an accepted push.
            using (var controlChannel = GrpcChannel.ForAddress($"http://127.0.0.1:{control}"))
            {
                var controlClient = new Canary.Contracts.V1.RolloutControl.RolloutControlClient(controlChannel);
                var table = new Canary.Contracts.V1.RolloutTable { Generation = 8 };
                table.Rollouts.Add(new Canary.Contracts.V1.Rollout
                {
                    RouteKey = "chat.example.internal", StableSubset = "stable", CanarySubset = "canary", Salt = "aot",
                    State = Canary.Contracts.V1.RolloutState.RolledBack,
                });
                var refused = await Assert.ThrowsAsync<RpcException>(async () => await controlClient.ApplyTableAsync(new Canary.Contracts.V1.ApplyTableRequest { Table = table }));
                Assert.Equal(StatusCode.Unauthenticated, refused.StatusCode);
                var ack = await controlClient.ApplyTableAsync(new Canary.Contracts.V1.ApplyTableRequest { Table = table }, new Grpc.Core.Metadata { { "authorization", "Bearer aot-token" } });
                Assert.Equal(8, ack.AppliedGeneration);
            }

            // The process figures the load harness and SREs read, as the native binary reports them.
            using (var http = new HttpClient())
            {
                var exposition = await http.GetStringAsync($"http://127.0.0.1:{metrics}/metrics");
                Assert.True(MetricValue(exposition, "process_cpu_seconds_total") > 0);
                Assert.True(MetricValue(exposition, "process_allocated_bytes_total") > 0);
                Assert.True(MetricValue(exposition, "dotnet_gc_committed_bytes") >= 0);
                Assert.Contains("dotnet_gc_heap_size_bytes{generation=\"poh\"} ", exposition);
            }

            Assert.Equal(0, await process.TerminateAsync(TimeSpan.FromSeconds(30)));
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }

        Assert.Contains("Application is shutting down", process.Output);
    }

    private static double MetricValue(string exposition, string name)
    {
        foreach (var line in exposition.Split('\n'))
        {
            if (line.StartsWith(name + " ", StringComparison.Ordinal))
            {
                return double.Parse(line.AsSpan(name.Length + 1), System.Globalization.CultureInfo.InvariantCulture);
            }
        }

        throw new Xunit.Sdk.XunitException($"/metrics has no {name}");
    }
}
