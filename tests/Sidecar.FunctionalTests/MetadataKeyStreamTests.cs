using Canary.Contracts.Telemetry;
using Canary.Sidecar.Hosting;
using Canary.Sidecar.Telemetry.Recording;
using Envoy.Config.Core.V3;
using Envoy.Service.ExtProc.V3;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Microsoft.Extensions.DependencyInjection;

namespace Canary.Sidecar.FunctionalTests;

/// <summary>
/// The user key and the tenant from Envoy dynamic metadata (jwt_authn's payload forwarded with
/// <c>metadata_options.forwarding_namespaces</c>), over real ext_proc streams, configured as the chart configures it.
/// </summary>
public sealed class MetadataKeyStreamTests
{
    private const string JwtAuthn = "envoy.filters.http.jwt_authn";

    private static readonly string[] MetadataSettings =
    [
        $"--Canary:Routing:UserKeyMetadata:Namespace={JwtAuthn}",
        "--Canary:Routing:UserKeyMetadata:Path=jwt_payload.sub",
        $"--Canary:Routing:TenantMetadata:Namespace={JwtAuthn}",
        "--Canary:Routing:TenantMetadata:Path=jwt_payload.tenant",
    ];

    private const string Table = """
        {
          "generation": 2,
          "rollouts": [
            { "routeKey": "chat.example.internal", "stableSubset": "stable", "canarySubset": "canary",
              "canaryWeightBasisPoints": 0, "salt": "functional", "forcedCanaryUsers": ["tester"], "excludedTenants": ["bank"] }
          ]
        }
        """;

    [Fact]
    public async Task Process_UserKeyInMetadata_RoutesByItAndNotByAForgedHeader()
    {
        await using var host = new SidecarHost(MetadataSettings, Table);
        await host.InitializeAsync();

        // The client names the forced tester in the header; the token says someone else.
        Assert.Equal(("stable", "no_user_key"), await ExchangeAsync(host, sub: null, tenant: null, ("x-user-id", "tester")));
        Assert.Equal(("stable", "sticky"), await ExchangeAsync(host, sub: "alice", tenant: null, ("x-user-id", "tester")));
        Assert.Equal(("canary", "forced"), await ExchangeAsync(host, sub: "tester", tenant: null, ("x-user-id", "alice")));
        Assert.Equal(("stable", "excluded_tenant"), await ExchangeAsync(host, sub: "tester", tenant: "bank"));
        Assert.Equal(("canary", "forced"), await ExchangeAsync(host, sub: "tester", tenant: "acme", ("x-tenant-id", "bank")));

        var registry = host.Services.GetRequiredService<TelemetryRegistry>();
        await Eventually.UntilAsync(() => registry.Arms.Sum(a => a.Read(TelemetryCounter.Requests)) >= 5, "every exchange counted");
        Assert.True(registry.TryGetArm("chat.example.internal", OffComparisonArm.NoKey("stable"), out var noKey));
        Assert.Equal(1, noKey.Read(TelemetryCounter.Requests));
    }

    [Fact]
    public async Task Process_AllowHeaderUserKey_HeaderStandsInWhereTheMetadataHasNoUser()
    {
        await using var host = new SidecarHost([.. MetadataSettings, "--Canary:Routing:AllowHeaderUserKey=true"], Table);
        await host.InitializeAsync();

        Assert.Equal(("canary", "forced"), await ExchangeAsync(host, sub: null, tenant: null, ("x-user-id", "tester")));
        Assert.Equal(("stable", "sticky"), await ExchangeAsync(host, sub: "alice", tenant: null, ("x-user-id", "tester")));
    }

    [Fact]
    public void Build_IncompleteMetadataSource_EveryErrorListedAtStart()
    {
        var error = Assert.Throws<ConfigurationErrorsException>(() => SidecarApplication.Build(
        [
            "--Canary:ExtProc:Port=0", "--Canary:Control:Port=0", "--Canary:Metrics:Port=0",
            $"--Canary:Routing:UserKeyMetadata:Namespace={JwtAuthn}",
            "--Canary:Routing:TenantMetadata:Path=jwt_payload..tenant",
        ]));

        Assert.Contains(error.Errors, e => e.StartsWith("Canary:Routing:UserKeyMetadata:Path", StringComparison.Ordinal));
        Assert.Contains(error.Errors, e => e.StartsWith("Canary:Routing:TenantMetadata:Namespace", StringComparison.Ordinal));
        Assert.Contains(error.Errors, e => e.StartsWith("Canary:Routing:TenantMetadata:Path", StringComparison.Ordinal));
    }

    private static async Task<(string Subset, string Reason)> ExchangeAsync(SidecarHost host, string? sub, string? tenant, params (string Key, string Value)[] headers)
    {
        var map = new HeaderMap();
        map.Headers.Add(new HeaderValue { Key = ":authority", RawValue = ByteString.CopyFromUtf8("chat.example.internal") });
        foreach (var (key, value) in headers)
        {
            map.Headers.Add(new HeaderValue { Key = key, RawValue = ByteString.CopyFromUtf8(value) });
        }

        var request = new ProcessingRequest { RequestHeaders = new HttpHeaders { Headers = map, EndOfStream = true } };
        if (sub is not null || tenant is not null)
        {
            var payload = new Struct();
            if (sub is not null)
            {
                payload.Fields["sub"] = Value.ForString(sub);
            }

            if (tenant is not null)
            {
                payload.Fields["tenant"] = Value.ForString(tenant);
            }

            var jwt = new Struct();
            jwt.Fields["jwt_payload"] = Value.ForStruct(payload);
            request.MetadataContext = new Envoy.Config.Core.V3.Metadata();
            request.MetadataContext.FilterMetadata.Add(JwtAuthn, jwt);
        }

        var client = new ExternalProcessor.ExternalProcessorClient(host.Channel);
        using var call = client.Process();
        await call.RequestStream.WriteAsync(request);
        Assert.True(await call.ResponseStream.MoveNext());
        var answer = call.ResponseStream.Current;
        var status = new HeaderMap();
        status.Headers.Add(new HeaderValue { Key = ":status", RawValue = ByteString.CopyFromUtf8("200") });
        await call.RequestStream.WriteAsync(new ProcessingRequest { ResponseHeaders = new HttpHeaders { Headers = status, EndOfStream = true } });
        Assert.True(await call.ResponseStream.MoveNext());
        await call.RequestStream.CompleteAsync();
        Assert.False(await call.ResponseStream.MoveNext());
        var subset = answer.RequestHeaders.Response.HeaderMutation.SetHeaders.Single().Header.RawValue.ToStringUtf8();
        return (subset, answer.DynamicMetadata.Fields["canary"].StructValue.Fields["reason"].StringValue);
    }
}
