using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Canary.Contracts.V1;
using Envoy.Config.Core.V3;
using Envoy.Service.ExtProc.V3;
using Google.Protobuf;
using Grpc.Core;
using Grpc.Net.Client;

namespace Canary.Sidecar.FunctionalTests;

/// <summary>The local tripwire and TLS on the control listener, over real sockets.</summary>
public sealed class TripwireTests
{
    private const string Chat = "chat.example.internal";

    private static ProcessingRequest Headers(bool response, params (string Key, string Value)[] headers)
    {
        var map = new HeaderMap();
        foreach (var (key, value) in headers)
        {
            map.Headers.Add(new HeaderValue { Key = key, RawValue = ByteString.CopyFromUtf8(value) });
        }

        var httpHeaders = new HttpHeaders { Headers = map, EndOfStream = true };
        return response ? new ProcessingRequest { ResponseHeaders = httpHeaders } : new ProcessingRequest { RequestHeaders = httpHeaders };
    }

    /// <summary>One exchange as Envoy runs it; returns the subset chosen.</summary>
    private static async Task<string> ExchangeAsync(ExternalProcessor.ExternalProcessorClient client, string user, string status)
    {
        using var call = client.Process();
        await call.RequestStream.WriteAsync(Headers(false, (":authority", Chat), ("x-user-id", user)));
        Assert.True(await call.ResponseStream.MoveNext());
        var subset = call.ResponseStream.Current.RequestHeaders.Response.HeaderMutation.SetHeaders[0].Header.RawValue.ToStringUtf8();
        await call.RequestStream.WriteAsync(Headers(true, (":status", status)));
        Assert.True(await call.ResponseStream.MoveNext());
        await call.RequestStream.CompleteAsync();
        Assert.False(await call.ResponseStream.MoveNext());
        return subset;
    }

    [Fact]
    public async Task Tripwire_CanaryFailing_RolledBackWithinWindowAndReported()
    {
        var host = new SidecarHost(["--Canary:Tripwire:WindowRequests=20", "--Canary:Control:AllowUnauthenticated=true"]);
        await host.InitializeAsync();
        try
        {
            var extProc = new ExternalProcessor.ExternalProcessorClient(host.Channel);
            using var channel = host.CreateControlChannel();
            var control = new RolloutControl.RolloutControlClient(channel);
            var table = new Canary.Contracts.V1.RolloutTable { Generation = 50 };
            table.Rollouts.Add(new Rollout { RouteKey = Chat, StableSubset = "stable", CanarySubset = "canary", CanaryWeightBasisPoints = 10_000, Salt = "trip", State = RolloutState.Active });
            await control.ApplyTableAsync(new ApplyTableRequest { Table = table });

            // Bound: more than 4 failures (20 %) of the last 20. Stable has no data, so the canary's rate decides, and the
            // fifth failure passes the bound.
            for (var i = 0; i < 5; i++)
            {
                Assert.Equal("canary", await ExchangeAsync(extProc, $"user-{i}", "503"));
            }

            // The rollback is applied off the exchange's thread: its signal is the table source the control API reports.
            await Eventually.UntilAsync(
                async () => (await control.GetTableAsync(new GetTableRequest())).Source == Canary.Contracts.V1.TableSource.Tripwire,
                "the tripwire's rollback in force");
            Assert.Equal("stable", await ExchangeAsync(extProc, "user-after", "200"));

            var state = await control.GetTableAsync(new GetTableRequest());
            Assert.Equal(50, state.Table.Generation);
            Assert.Equal(Canary.Contracts.V1.TableSource.Tripwire, state.Source);
            Assert.Equal(RolloutState.RolledBack, state.Table.Rollouts[0].State);
            var trip = Assert.Single(state.TripwireTrips);
            Assert.Equal(Chat, trip.RouteKey);
            Assert.Equal(5, trip.CanaryFailures);
            Assert.Contains("canary failed 5", trip.Reason, StringComparison.Ordinal);

            // The same generation cannot undo it; the analyzer confirms with a newer one.
            var stale = await Assert.ThrowsAsync<RpcException>(async () => await control.ApplyTableAsync(new ApplyTableRequest { Table = table }));
            Assert.Equal(StatusCode.FailedPrecondition, stale.StatusCode);
            Assert.Equal("tripwire", stale.Trailers.GetValue("canary-applied-source"));
            var metrics = await host.GetMetricsAsync();
            Assert.Contains($"canary_tripwire_tripped{{rollout=\"{Chat}\"}} 1", metrics, StringComparison.Ordinal);
            Assert.Contains("canary_rollout_table_source{source=\"tripwire\"} 1", metrics, StringComparison.Ordinal);

            table.Generation = 51;
            table.Rollouts[0].State = RolloutState.RolledBack;
            await control.ApplyTableAsync(new ApplyTableRequest { Table = table });
            Assert.True(Assert.Single((await control.GetTableAsync(new GetTableRequest())).TripwireTrips).Confirmed);
        }
        finally
        {
            await host.DisposeAsync();
        }
    }

    [Fact]
    public async Task ControlListener_WithTlsCertificateFiles_ServesOnlyTls()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=127.0.0.1", key, HashAlgorithmName.SHA256);
        var san = new SubjectAlternativeNameBuilder();
        san.AddIpAddress(System.Net.IPAddress.Loopback);
        request.CertificateExtensions.Add(san.Build());
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddHours(1));
        var directory = Directory.CreateTempSubdirectory("canary-tls-").FullName;
        var certFile = Path.Combine(directory, "tls.crt");
        var keyFile = Path.Combine(directory, "tls.key");
        await File.WriteAllTextAsync(certFile, certificate.ExportCertificatePem());
        await File.WriteAllTextAsync(keyFile, key.ExportPkcs8PrivateKeyPem());

        var host = new SidecarHost([$"--Canary:Control:TlsCertificateFile={certFile}", $"--Canary:Control:TlsKeyFile={keyFile}", "--Canary:Control:Token=tls-token"]);
        await host.InitializeAsync();
        try
        {
            var thumbprint = certificate.Thumbprint;
            using var tls = GrpcChannel.ForAddress($"https://127.0.0.1:{host.ControlPort}", new GrpcChannelOptions
            {
                HttpHandler = new SocketsHttpHandler
                {
                    SslOptions = { RemoteCertificateValidationCallback = (_, presented, _, _) => presented is not null && presented.GetCertHashString() == thumbprint },
                },
            });
            var reply = await new RolloutControl.RolloutControlClient(tls).GetTableAsync(new GetTableRequest(), new Grpc.Core.Metadata { { "authorization", "Bearer tls-token" } });
            Assert.Equal(7, reply.Table.Generation);

            using var cleartext = host.CreateControlChannel();
            await Assert.ThrowsAsync<RpcException>(async () => await new RolloutControl.RolloutControlClient(cleartext).GetTableAsync(new GetTableRequest(), new Grpc.Core.Metadata { { "authorization", "Bearer tls-token" } }));
        }
        finally
        {
            await host.DisposeAsync();
            Directory.Delete(directory, recursive: true);
        }
    }
}
