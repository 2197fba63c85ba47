using System.Text;
using Canary.Contracts.Telemetry;
using Canary.Sidecar.Routing;
using Canary.Sidecar.Telemetry.Recording;
using Envoy.Config.Core.V3;
using Envoy.Service.ExtProc.V3;
using Google.Protobuf;
using Grpc.Core;
using Microsoft.Extensions.DependencyInjection;

namespace Canary.Sidecar.FunctionalTests;

/// <summary>
/// Requests outside the canary-against-stable comparison, over real ext_proc streams: each is recorded in its own arm
/// and never in the stable or canary arm, its request_headers answer tells Envoy that arm, and routing is as before.
/// </summary>
public sealed class OffComparisonStreamTests : IAsyncLifetime
{
    private const string Chat = "chat.example.internal";
    private const string Provider = "api.provider.example";

    private const string Table = """
        {
          "generation": 3,
          "rollouts": [
            { "routeKey": "chat.example.internal", "stableSubset": "stable", "canarySubset": "canary",
              "canaryWeightBasisPoints": 2500, "salt": "functional", "forcedCanaryUsers": ["tester"],
              "excludedUsers": ["vip"], "excludedTenants": ["bank"] },
            { "routeKey": "api.provider.example", "stableSubset": "provider-stable", "canarySubset": "provider-canary",
              "canaryWeightBasisPoints": 10000, "salt": "rewrite", "stableModel": "gpt-4o", "canaryModel": "gpt-5" }
          ]
        }
        """;

    private readonly SidecarHost _host = new(["--Canary:Routing:FeedbackPath=/v1/feedback"], Table);

    public Task InitializeAsync() => _host.InitializeAsync();

    public Task DisposeAsync() => _host.DisposeAsync();

    [Fact]
    public async Task Process_OffComparisonRequests_RecordedApartAndNamedToEnvoy()
    {
        var canaryUser = Enumerable.Range(0, 500).Select(i => $"u{i}").First(u => StickyBucket.Compute("functional"u8, Encoding.UTF8.GetBytes(u)) < 2500);

        // Excluded user and tenant: stable, recorded as excluded.
        Assert.Equal(("stable", "stable:excluded", "excluded_user"), await ExchangeAsync(Chat, ("x-user-id", "vip")));
        Assert.Equal(("stable", "stable:excluded", "excluded_tenant"), await ExchangeAsync(Chat, ("x-user-id", canaryUser), ("x-tenant-id", "bank")));

        // No user key: a per-request choice, recorded as nokey of the subset it went to.
        var noKey = new List<string>();
        for (var i = 0; i < 8; i++)
        {
            var (subset, arm, reason) = await ExchangeAsync(Chat);
            Assert.Equal((subset + ":nokey", "no_user_key"), (arm, reason));
            noKey.Add(arm);
        }

        // A feedback call: recorded as feedback; its rating counts in the arm of the user who sent it.
        Assert.Equal(("canary", "canary:feedback", "sticky"), await ExchangeAsync(Chat, (":path", "/v1/feedback"), ("x-user-id", canaryUser), ("x-feedback-rating", "up")));

        // A sampled user: the comparison.
        Assert.Equal(("canary", "canary", "sticky"), await ExchangeAsync(Chat, ("x-user-id", canaryUser)));

        // Model rewrite: a GET and another model stay unrewritten on stable; the stable model asked for is rewritten.
        Assert.Equal(("provider-stable", "provider-stable:unrewritten", "sticky"), await ExchangeAsync(Provider, ("x-user-id", canaryUser)));
        Assert.Equal(("provider-stable", "provider-stable:unrewritten", "sticky"), await ExchangeAsync(Provider, """{"model":"text-embedding-3-small","input":"x"}""", ("x-user-id", canaryUser)));
        Assert.Equal(("provider-canary", "provider-canary", "sticky"), await ExchangeAsync(Provider, """{"model":"gpt-4o","messages":[]}""", ("x-user-id", canaryUser)));

        var registry = _host.Services.GetRequiredService<TelemetryRegistry>();
        long Requests(string rollout, string subset) =>
            registry.TryGetArm(rollout, subset, out var arm) ? arm.Read(TelemetryCounter.Requests) : 0;
        await Eventually.UntilAsync(() => registry.Arms.Sum(a => a.Read(TelemetryCounter.Requests)) >= 15, "every exchange counted");

        Assert.Equal(2, Requests(Chat, OffComparisonArm.Excluded("stable")));
        Assert.Equal(noKey.Count(a => a == "stable:nokey"), Requests(Chat, OffComparisonArm.NoKey("stable")));
        Assert.Equal(noKey.Count(a => a == "canary:nokey"), Requests(Chat, OffComparisonArm.NoKey("canary")));
        Assert.Equal(1, Requests(Chat, OffComparisonArm.Feedback("canary")));
        Assert.Equal(1, Requests(Chat, "canary"));
        Assert.Equal(0, Requests(Chat, "stable"));
        Assert.Equal(2, Requests(Provider, OffComparisonArm.Unrewritten("provider-stable")));
        Assert.Equal(1, Requests(Provider, "provider-canary"));
        Assert.Equal(0, Requests(Provider, "provider-stable"));
        Assert.True(registry.TryGetArm(Chat, "canary", out var canary));
        Assert.Equal(1, canary.Read(TelemetryCounter.FeedbackPositive));
    }

    private Task<(string Subset, string Arm, string Reason)> ExchangeAsync(string authority, params (string Key, string Value)[] headers) =>
        ExchangeAsync(authority, body: null, headers);

    /// <summary>One exchange as Envoy runs it; returns the subset the sidecar routed to and the canary metadata it sent.</summary>
    private async Task<(string Subset, string Arm, string Reason)> ExchangeAsync(string authority, string? body, params (string Key, string Value)[] headers)
    {
        var client = new ExternalProcessor.ExternalProcessorClient(_host.Channel);
        using var call = client.Process();
        var map = new HeaderMap();
        map.Headers.Add(new HeaderValue { Key = ":authority", RawValue = ByteString.CopyFromUtf8(authority) });
        foreach (var (key, value) in headers)
        {
            map.Headers.Add(new HeaderValue { Key = key, RawValue = ByteString.CopyFromUtf8(value) });
        }

        await call.RequestStream.WriteAsync(new ProcessingRequest { RequestHeaders = new HttpHeaders { Headers = map, EndOfStream = body is null } });
        Assert.True(await call.ResponseStream.MoveNext());
        var answer = call.ResponseStream.Current;
        var subset = answer.RequestHeaders.Response.HeaderMutation.SetHeaders.Single(h => h.Header.Key == "x-canary-subset").Header.RawValue.ToStringUtf8();
        var metadata = answer.DynamicMetadata.Fields["canary"].StructValue.Fields.ToDictionary(f => f.Key, f => f.Value.StringValue);
        Assert.Equal(authority, metadata["rollout"]);
        if (body is not null)
        {
            await call.RequestStream.WriteAsync(new ProcessingRequest { RequestBody = new HttpBody { Body = ByteString.CopyFromUtf8(body), EndOfStream = true } });
            Assert.True(await call.ResponseStream.MoveNext());
            var bodyAnswer = call.ResponseStream.Current;
            if (bodyAnswer.RequestBody.Response?.HeaderMutation?.SetHeaders.FirstOrDefault(h => h.Header.Key == "x-canary-subset") is { } set)
            {
                subset = set.Header.RawValue.ToStringUtf8();
            }

            // Envoy merges a namespace it receives again into what it holds: the body answer's arm replaces the first.
            if (bodyAnswer.DynamicMetadata?.Fields["canary"].StructValue.Fields is { } later)
            {
                foreach (var field in later)
                {
                    metadata[field.Key] = field.Value.StringValue;
                }
            }
        }

        var status = new HeaderMap();
        status.Headers.Add(new HeaderValue { Key = ":status", RawValue = ByteString.CopyFromUtf8("204") });
        await call.RequestStream.WriteAsync(new ProcessingRequest { ResponseHeaders = new HttpHeaders { Headers = status, EndOfStream = true } });
        Assert.True(await call.ResponseStream.MoveNext());
        await call.RequestStream.CompleteAsync();
        Assert.False(await call.ResponseStream.MoveNext());
        return (subset, metadata["arm"], metadata["reason"]);
    }
}
