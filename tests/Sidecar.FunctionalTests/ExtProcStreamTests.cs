using Canary.Sidecar.Processing;
using Envoy.Config.Core.V3;
using Envoy.Service.ExtProc.V3;
using Google.Protobuf;
using Grpc.Core;
using Grpc.Health.V1;
using Microsoft.Extensions.DependencyInjection;

namespace Canary.Sidecar.FunctionalTests;

/// <summary>ext_proc streams over real HTTP/2 sockets, spoken with the generated Envoy types as Envoy would.</summary>
public sealed class ExtProcStreamTests : IClassFixture<SidecarHost>
{
    private readonly SidecarHost _host;
    private readonly ExternalProcessor.ExternalProcessorClient _client;

    public ExtProcStreamTests(SidecarHost host)
    {
        _host = host;
        _client = new ExternalProcessor.ExternalProcessorClient(host.Channel);
    }

    private static ProcessingRequest RequestHeaders(params (string Key, string Value)[] headers)
    {
        var map = new HeaderMap();
        foreach (var (key, value) in headers)
        {
            map.Headers.Add(new HeaderValue { Key = key, RawValue = ByteString.CopyFromUtf8(value) });
        }

        return new ProcessingRequest { RequestHeaders = new HttpHeaders { Headers = map, EndOfStream = true } };
    }

    private static ProcessingRequest ResponseHeaders(string status) =>
        new() { ResponseHeaders = new HttpHeaders { Headers = new HeaderMap { Headers = { new HeaderValue { Key = ":status", RawValue = ByteString.CopyFromUtf8(status) } } }, EndOfStream = true } };

    private async Task<(ProcessingResponse Request, ProcessingResponse Response)> ExchangeAsync(ProcessingRequest requestHeaders)
    {
        using var call = _client.Process();
        await call.RequestStream.WriteAsync(requestHeaders);
        Assert.True(await call.ResponseStream.MoveNext());
        var first = call.ResponseStream.Current;
        await call.RequestStream.WriteAsync(ResponseHeaders("200"));
        Assert.True(await call.ResponseStream.MoveNext());
        var second = call.ResponseStream.Current;
        await call.RequestStream.CompleteAsync();
        Assert.False(await call.ResponseStream.MoveNext());
        return (first, second);
    }

    [Fact]
    public async Task Process_FullStream_SetsSubsetThenContinuesResponse()
    {
        var (request, response) = await ExchangeAsync(RequestHeaders((":authority", "chat.example.internal"), (":path", "/v1/chat/completions"), ("x-user-id", "tester")));

        var common = request.RequestHeaders.Response;
        Assert.True(common.ClearRouteCache);
        var set = Assert.Single(common.HeaderMutation.SetHeaders);
        Assert.Equal("x-canary-subset", set.Header.Key);
        Assert.Equal("canary", set.Header.RawValue.ToStringUtf8());
        Assert.Empty(set.Header.Value);
        Assert.Equal(ProcessingResponse.ResponseOneofCase.ResponseHeaders, response.ResponseCase);
    }

    [Fact]
    public async Task Process_ForgedSubsetHeader_Overwritten()
    {
        // At 25 % most users are stable; find one and forge "canary".
        var user = Enumerable.Range(0, 100).Select(i => $"user-{i}").First(u => !IsCanaryFor(u));
        var (request, _) = await ExchangeAsync(RequestHeaders((":authority", "chat.example.internal"), ("x-canary-subset", "canary"), ("x-user-id", user)));
        var set = Assert.Single(request.RequestHeaders.Response.HeaderMutation.SetHeaders);
        Assert.Equal("stable", set.Header.RawValue.ToStringUtf8());
    }

    [Fact]
    public async Task Process_UnmatchedRoute_RemovesForgedSubsetHeaderOnly()
    {
        var (request, _) = await ExchangeAsync(RequestHeaders((":authority", "billing.internal"), ("x-canary-subset", "canary"), ("x-user-id", "u")));
        var mutation = request.RequestHeaders.Response.HeaderMutation;
        Assert.Empty(mutation.SetHeaders);
        Assert.Equal("x-canary-subset", Assert.Single(mutation.RemoveHeaders));
    }

    [Fact]
    public async Task Process_1000ConcurrentStreams_AllAnsweredStickily()
    {
        var tasks = Enumerable.Range(0, 1000).Select(async i =>
        {
            var user = $"user-{i}";
            var (request, response) = await ExchangeAsync(RequestHeaders((":authority", "chat.example.internal"), ("x-user-id", user)));
            var subset = request.RequestHeaders.Response.HeaderMutation.SetHeaders[0].Header.RawValue.ToStringUtf8();
            Assert.Equal(IsCanaryFor(user) ? "canary" : "stable", subset);
            Assert.Equal(ProcessingResponse.ResponseOneofCase.ResponseHeaders, response.ResponseCase);
        });
        await Task.WhenAll(tasks);
    }

    [Fact]
    public async Task Process_MalformedFrame_InvalidArgumentAndOtherStreamsUnaffected()
    {
        var raw = new Method<byte[], byte[]>(MethodType.DuplexStreaming, ExternalProcessorBinding.ServiceName, "Process",
            Marshallers.Create(b => b, b => b), Marshallers.Create(b => b, b => b));
        var invoker = _host.Channel.CreateCallInvoker();
        using var healthy = _client.Process();
        await healthy.RequestStream.WriteAsync(RequestHeaders((":authority", "chat.example.internal"), ("x-user-id", "tester")));
        Assert.True(await healthy.ResponseStream.MoveNext());

        using (var broken = invoker.AsyncDuplexStreamingCall(raw, null, new CallOptions()))
        {
            await broken.RequestStream.WriteAsync([0x12, 0x40, 0x0A]);
            var error = await Assert.ThrowsAsync<RpcException>(async () => await broken.ResponseStream.MoveNext());
            Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        }

        await healthy.RequestStream.WriteAsync(ResponseHeaders("503"));
        Assert.True(await healthy.ResponseStream.MoveNext());
        Assert.Equal(ProcessingResponse.ResponseOneofCase.ResponseHeaders, healthy.ResponseStream.Current.ResponseCase);
        await healthy.RequestStream.CompleteAsync();
        Assert.Contains("canary_extproc_bad_input_total{kind=\"malformed_protobuf\"}", await _host.GetMetricsAsync());
    }

    [Fact]
    public async Task Process_UnknownRequestCase_StreamClosedWithOk()
    {
        var raw = new Method<byte[], byte[]>(MethodType.DuplexStreaming, ExternalProcessorBinding.ServiceName, "Process",
            Marshallers.Create(b => b, b => b), Marshallers.Create(b => b, b => b));
        using var call = _host.Channel.CreateCallInvoker().AsyncDuplexStreamingCall(raw, null, new CallOptions());
        await call.RequestStream.WriteAsync([0x9A, 0x06, 0x00]);
        Assert.False(await call.ResponseStream.MoveNext());
        Assert.Equal(StatusCode.OK, call.GetStatus().StatusCode);
    }

    [Fact]
    public async Task Process_StreamResetMidway_CountedAsCancelledAndServerKeepsServing()
    {
        var counters = _host.Services.GetRequiredService<ProcessingCounters>();
        var before = counters.StreamsCancelled;
        using (var cts = new CancellationTokenSource())
        {
            using var call = _client.Process(cancellationToken: cts.Token);
            await call.RequestStream.WriteAsync(RequestHeaders((":authority", "chat.example.internal"), ("x-user-id", "u1")));
            Assert.True(await call.ResponseStream.MoveNext());
            await cts.CancelAsync();
        }

        await Eventually.UntilAsync(() => counters.StreamsCancelled > before, "the cancelled stream counted");
        var (request, _) = await ExchangeAsync(RequestHeaders((":authority", "chat.example.internal"), ("x-user-id", "tester")));
        Assert.Equal("canary", request.RequestHeaders.Response.HeaderMutation.SetHeaders[0].Header.RawValue.ToStringUtf8());
    }

    [Fact]
    public async Task Health_Serving()
    {
        var health = new Health.HealthClient(_host.Channel);
        var reply = await health.CheckAsync(new HealthCheckRequest());
        Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, reply.Status);
    }

    private static bool IsCanaryFor(string user) =>
        Canary.Sidecar.Routing.StickyBucket.Compute("functional"u8, System.Text.Encoding.UTF8.GetBytes(user)) < 2500;
}
