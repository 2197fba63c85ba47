using Canary.Contracts.Telemetry;
using Canary.Sidecar.Telemetry.Recording;
using Envoy.Config.Core.V3;
using Envoy.Extensions.Filters.Http.ExtProc.V3;
using Envoy.Service.ExtProc.V3;
using Google.Protobuf;
using Grpc.Core;
using Microsoft.Extensions.DependencyInjection;

namespace Canary.Sidecar.FunctionalTests;

/// <summary>
/// Response-side telemetry through the real gRPC pipeline: streamed SSE responses on both subsets end up in the right
/// arm's counters and histograms. Uses its own host so other tests' traffic does not mix in.
/// </summary>
public sealed class TelemetryStreamTests : IAsyncLifetime
{
    private readonly SidecarHost _host = new();

    public Task InitializeAsync() => _host.InitializeAsync();

    public Task DisposeAsync() => _host.DisposeAsync();

    private static HttpHeaders Headers(bool endOfStream, params (string Key, string Value)[] headers)
    {
        var map = new HeaderMap();
        foreach (var (key, value) in headers)
        {
            map.Headers.Add(new HeaderValue { Key = key, RawValue = ByteString.CopyFromUtf8(value) });
        }

        return new HttpHeaders { Headers = map, EndOfStream = endOfStream };
    }

    private async Task StreamAsync(string user, string status, string[] chunks, bool cutBeforeEnd = false)
    {
        var client = new ExternalProcessor.ExternalProcessorClient(_host.Channel);
        using var call = client.Process();
        await call.RequestStream.WriteAsync(new ProcessingRequest { RequestHeaders = Headers(true, (":authority", "chat.example.internal"), ("x-user-id", user)) });
        Assert.True(await call.ResponseStream.MoveNext());
        await call.RequestStream.WriteAsync(new ProcessingRequest { ResponseHeaders = Headers(false, (":status", status), ("content-type", "text/event-stream; charset=utf-8")) });
        Assert.True(await call.ResponseStream.MoveNext());
        var answer = call.ResponseStream.Current;
        if (status == "200")
        {
            Assert.Equal(ProcessingMode.Types.BodySendMode.Streamed, answer.ModeOverride.ResponseBodyMode);
        }

        for (var i = 0; i < chunks.Length; i++)
        {
            var last = i == chunks.Length - 1 && !cutBeforeEnd;
            await call.RequestStream.WriteAsync(new ProcessingRequest { ResponseBody = new HttpBody { Body = ByteString.CopyFromUtf8(chunks[i]), EndOfStream = last } });
            Assert.True(await call.ResponseStream.MoveNext());
            Assert.Equal(ProcessingResponse.ResponseOneofCase.ResponseBody, call.ResponseStream.Current.ResponseCase);
        }

        await call.RequestStream.CompleteAsync();
        Assert.False(await call.ResponseStream.MoveNext());
    }

    private static readonly string[] SseChunks =
    [
        "data: {\"id\":\"c1\",\"object\":\"chat.completion.chunk\",\"model\":\"gpt-4o\",\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"\"}}]}\n\n",
        "data: {\"id\":\"c1\",\"object\":\"chat.completion.chunk\",\"model\":\"gpt-4o\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Hel",
        "lo\"}}]}\n\ndata: {\"id\":\"c1\",\"object\":\"chat.completion.chunk\",\"model\":\"gpt-4o\",\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}],\"usage\":{\"prompt_tokens\":12,\"completion_tokens\":7,\"total_tokens\":19}}\n\n",
        "data: [DONE]\n\n",
    ];

    [Fact]
    public async Task Process_StreamedResponses_RecordedIntoTheirArms()
    {
        var stableUser = Enumerable.Range(0, 200).Select(i => $"u{i}").First(u => !IsCanary(u));
        var canaryUser = Enumerable.Range(0, 200).Select(i => $"u{i}").First(IsCanary);
        await StreamAsync(canaryUser, "200", SseChunks);
        await StreamAsync(canaryUser, "200", SseChunks);
        await StreamAsync(stableUser, "200", SseChunks);
        await StreamAsync(stableUser, "503", []);
        await StreamAsync(stableUser, "200", SseChunks[..2], cutBeforeEnd: true);

        var registry = _host.Services.GetRequiredService<TelemetryRegistry>();
        Assert.True(registry.TryGetArm("chat.example.internal", "canary", out var canary));
        Assert.True(registry.TryGetArm("chat.example.internal", "stable", out var stable));
        // The cut stream is counted when the server sees its reset, which can come after the client moved on.
        await Eventually.UntilAsync(() => canary.Read(TelemetryCounter.Requests) >= 2 && stable.Read(TelemetryCounter.Requests) >= 3, "every exchange counted");

        Assert.Equal(2, canary.Read(TelemetryCounter.Requests));
        Assert.Equal(2, canary.Read(TelemetryCounter.Status2xx));
        Assert.Equal(2, canary.Read(TelemetryCounter.FinishStop));
        Assert.Equal(3, stable.Read(TelemetryCounter.Requests));
        Assert.Equal(2, stable.Read(TelemetryCounter.Status2xx));
        Assert.Equal(1, stable.Read(TelemetryCounter.Status5xx));
        Assert.Equal(1, stable.Read(TelemetryCounter.CancelledByClient));
        Assert.Equal(1, stable.Read(TelemetryCounter.FinishStop));

        var output = canary.Recorder(TelemetryMetric.OutputTokens).TakeInterval();
        Assert.Equal(2, output.TotalCount());
        Assert.Equal(14, output.Sum);
        Assert.Equal(24, canary.Recorder(TelemetryMetric.InputTokens).TakeInterval().Sum);
        Assert.Equal(2, canary.Recorder(TelemetryMetric.TimeToFirstTokenUs).TakeInterval().TotalCount());
        Assert.Equal(2, canary.Recorder(TelemetryMetric.DurationUs).TakeInterval().TotalCount());
        Assert.Equal(3, stable.Recorder(TelemetryMetric.DurationUs).TakeInterval().TotalCount());
        Assert.Equal(1, stable.Recorder(TelemetryMetric.OutputTokens).TakeInterval().TotalCount());
    }

    [Fact]
    public async Task Process_ForcedTesterRequests_RecordedApartFromTheCanaryArm()
    {
        await StreamAsync("tester", "200", SseChunks);
        await StreamAsync("tester", "503", []);
        await StreamAsync("tester", "200", SseChunks);

        var registry = _host.Services.GetRequiredService<TelemetryRegistry>();
        Assert.True(registry.TryGetArm("chat.example.internal", OffComparisonArm.Testers("canary"), out var testers));
        await Eventually.UntilAsync(() => testers.Read(TelemetryCounter.Requests) >= 3, "every tester exchange counted");

        Assert.Equal(3, testers.Read(TelemetryCounter.Requests));
        Assert.Equal(1, testers.Read(TelemetryCounter.Status5xx));
        Assert.Equal(14, testers.Recorder(TelemetryMetric.OutputTokens).TakeInterval().Sum);
        // Arms are created by their first request: the canary arm holding nothing of the testers does not even exist.
        Assert.False(registry.TryGetArm("chat.example.internal", "canary", out _));
    }

    private static bool IsCanary(string user) =>
        Canary.Sidecar.Routing.StickyBucket.Compute("functional"u8, System.Text.Encoding.UTF8.GetBytes(user)) < 2500;
}
