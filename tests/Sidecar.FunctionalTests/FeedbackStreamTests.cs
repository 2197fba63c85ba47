using Canary.Contracts.Telemetry;
using Canary.Sidecar.Telemetry.Recording;
using Envoy.Config.Core.V3;
using Envoy.Service.ExtProc.V3;
using Google.Protobuf;
using Grpc.Core;
using Microsoft.Extensions.DependencyInjection;

namespace Canary.Sidecar.FunctionalTests;

/// <summary>User feedback attributed to the user's sticky arm, and the served-subset response header.</summary>
public sealed class FeedbackStreamTests : IAsyncLifetime
{
    private readonly SidecarHost _host = new(["--Canary:Routing:FeedbackPath=/v1/feedback", "--Canary:Routing:ServedSubsetHeader=x-canary-served-by"]);

    public Task InitializeAsync() => _host.InitializeAsync();

    public Task DisposeAsync() => _host.DisposeAsync();

    private async Task<ProcessingResponse> ExchangeAsync(string path, string user, string? rating)
    {
        var client = new ExternalProcessor.ExternalProcessorClient(_host.Channel);
        using var call = client.Process();
        var map = new HeaderMap();
        map.Headers.Add(new HeaderValue { Key = ":authority", RawValue = ByteString.CopyFromUtf8("chat.example.internal") });
        map.Headers.Add(new HeaderValue { Key = ":path", RawValue = ByteString.CopyFromUtf8(path) });
        map.Headers.Add(new HeaderValue { Key = "x-user-id", RawValue = ByteString.CopyFromUtf8(user) });
        if (rating is not null)
        {
            map.Headers.Add(new HeaderValue { Key = "x-feedback-rating", RawValue = ByteString.CopyFromUtf8(rating) });
        }

        await call.RequestStream.WriteAsync(new ProcessingRequest { RequestHeaders = new HttpHeaders { Headers = map, EndOfStream = true } });
        Assert.True(await call.ResponseStream.MoveNext());
        var status = new HeaderMap();
        status.Headers.Add(new HeaderValue { Key = ":status", RawValue = ByteString.CopyFromUtf8("204") });
        await call.RequestStream.WriteAsync(new ProcessingRequest { ResponseHeaders = new HttpHeaders { Headers = status, EndOfStream = true } });
        Assert.True(await call.ResponseStream.MoveNext());
        var answer = call.ResponseStream.Current;
        await call.RequestStream.CompleteAsync();
        Assert.False(await call.ResponseStream.MoveNext());
        return answer;
    }

    [Fact]
    public async Task Feedback_CountedOnTheUsersArm_AndResponseNamesTheServingSubset()
    {
        var stableUser = Enumerable.Range(0, 200).Select(i => $"u{i}").First(u =>
            Canary.Sidecar.Routing.StickyBucket.Compute("functional"u8, System.Text.Encoding.UTF8.GetBytes(u)) >= 2500);
        var canaryUser = Enumerable.Range(0, 200).Select(i => $"u{i}").First(u =>
            Canary.Sidecar.Routing.StickyBucket.Compute("functional"u8, System.Text.Encoding.UTF8.GetBytes(u)) < 2500);
        var canaryAnswer = await ExchangeAsync("/v1/feedback?id=7", canaryUser, "up");
        await ExchangeAsync("/v1/feedback", "tester", "up");
        await ExchangeAsync("/v1/feedback", "tester", "up");
        await ExchangeAsync("/v1/feedback", stableUser, "-1");
        await ExchangeAsync("/v1/feedback", stableUser, "not-a-rating");
        await ExchangeAsync("/v1/chat/completions", stableUser, "up");

        var served = Assert.Single(canaryAnswer.ResponseHeaders.Response.HeaderMutation.SetHeaders);
        Assert.Equal("x-canary-served-by", served.Header.Key);
        Assert.Equal("canary", served.Header.RawValue.ToStringUtf8());
        var registry = _host.Services.GetRequiredService<TelemetryRegistry>();
        Assert.True(registry.TryGetArm("chat.example.internal", "canary", out var canary));
        Assert.True(registry.TryGetArm("chat.example.internal", "stable", out var stable));
        Assert.Equal(1, canary.Read(TelemetryCounter.FeedbackPositive));
        Assert.Equal(0, canary.Read(TelemetryCounter.FeedbackNegative));
        Assert.Equal(1, stable.Read(TelemetryCounter.FeedbackNegative));
        Assert.Equal(0, stable.Read(TelemetryCounter.FeedbackPositive));
        Assert.True(registry.TryGetArm("chat.example.internal", "canary:testers", out var testers));
        Assert.Equal(2, testers.Read(TelemetryCounter.FeedbackPositive));
    }
}
