using Canary.Contracts.Rollouts;
using Canary.Sidecar.Configuration;
using Canary.Sidecar.Model;
using Canary.Sidecar.ModelRewrite;
using Canary.Sidecar.Processing;
using Canary.Sidecar.Routing;
using Canary.Sidecar.Wire;
using Envoy.Service.ExtProc.V3;
using Google.Protobuf;
using Grpc.Core;
using Microsoft.Extensions.Time.Testing;

namespace Canary.Sidecar.UnitTests.Processing;

/// <summary>
/// The stream loop against each way a reset reaches it (see <see cref="ExternalProcessorService"/>): the order of
/// Kestrel's exception and the request token's cancellation is a race on a real server, so each order is played here
/// on purpose. A normal end returns (Grpc.AspNetCore would log an exception at Error), counted cancelled.
/// </summary>
public sealed class ExternalProcessorServiceTests
{
    private static readonly byte[] RequestHeaders = RequestFrames.RequestHeaders(RequestFrames.Realistic(user: "tester"));

    private static readonly byte[] ResponseHeaders =
        new ProcessingRequest { ResponseHeaders = RequestFrames.Headers((":status", "200")) }.ToByteArray();

    private readonly ProcessingCounters _counters = new();
    private readonly EndRecorder _ends = new();
    private readonly ExternalProcessorService _service;
    private readonly FakeServerCallContext _context = new();

    public ExternalProcessorServiceTests()
    {
        var headers = new RoutingSettings(new RoutingOptions { UserKeyHeaders = ["x-user-id"] });
        var time = new FakeTimeProvider();
        var tables = new RolloutTableHolder(headers, time);
        Assert.True(tables.TryApply(new RolloutTable
        {
            Generation = 1,
            Rollouts = [new RolloutDefinition { RouteKey = "chat.example.internal", StableSubset = "v1", CanarySubset = "v2", CanaryWeightBasisPoints = 5000, Salt = "s", ForcedCanaryUsers = ["tester"] }],
        }, out _));
        var answers = new ProcessingAnswerPool();
        var rewrites = new RequestBodyHandler(answers, ModelRewriteLimits.Default);
        var processor = new ExchangeProcessor(tables, new RequestHeadersHandler(new SubsetSelector(new SplitMixRequestRandom(1)), _counters, rewrites), rewrites, _counters, time, [_ends]);
        _service = new ExternalProcessorService(processor, _counters, answers);
    }

    public static TheoryData<Exception> TransportExceptions => new()
    {
        new IOException("The client reset the request stream."),
        new TaskCanceledException("The request was aborted"),
        new OperationCanceledException("Request aborted while sending the message."),
    };

    [Fact]
    public async Task Process_HalfClose_CountedCompleted()
    {
        var requests = new ScriptedRequestStream().Message(RequestHeaders).Message(ResponseHeaders);
        var responses = new RecordingResponseStream();

        await _service.Process(requests, responses, _context);

        Assert.Equal(2, responses.Written.Count);
        AssertEnded(cancelled: false);
    }

    [Theory]
    [MemberData(nameof(TransportExceptions))]
    public async Task Process_ReaderThrowsBeforeTheTokenIsCancelled_ReturnsCountedCancelled(Exception reset)
    {
        // Kestrel completed the request body with the reset before its scheduled abort cancelled the token.
        var requests = new ScriptedRequestStream().Message(RequestHeaders).Message(ResponseHeaders).Throw(reset);

        await _service.Process(requests, new RecordingResponseStream(), _context);

        Assert.False(_context.CancellationToken.IsCancellationRequested);
        AssertEnded(cancelled: true);
    }

    [Theory]
    [MemberData(nameof(TransportExceptions))]
    public async Task Process_ReaderThrowsAfterTheTokenIsCancelled_ReturnsCountedCancelled(Exception reset)
    {
        var requests = new ScriptedRequestStream().Message(RequestHeaders).Throw(reset, before: _context.Abort);

        await _service.Process(requests, new RecordingResponseStream(), _context);

        AssertEnded(cancelled: true);
    }

    [Fact]
    public async Task Process_ReaderRefusesAfterTheRequestIsComplete_ReturnsCountedCancelled()
    {
        // Grpc.AspNetCore's reader throws this without reading once the request's token is cancelled.
        var requests = new ScriptedRequestStream().Message(RequestHeaders)
            .Throw(new InvalidOperationException("Can't read messages after the request is complete."), before: _context.Abort);

        await _service.Process(requests, new RecordingResponseStream(), _context);

        AssertEnded(cancelled: true);
    }

    [Fact]
    public async Task Process_InvalidOperationWhileTheRequestIsLive_Propagates()
    {
        // Not a reset: a misuse of the reader is a bug and must stay visible.
        var requests = new ScriptedRequestStream().Throw(new InvalidOperationException("Can't read while a read is pending."));

        await Assert.ThrowsAsync<InvalidOperationException>(() => _service.Process(requests, new RecordingResponseStream(), _context));

        Assert.Equal(1, _counters.StreamsStarted);
        Assert.Equal(1, _counters.StreamsCancelled + _counters.StreamsCompleted);
    }

    [Fact]
    public async Task Process_TokenCancelledWhileAMessageIsHandled_NeitherWritesNorReadsAgain()
    {
        // The reset is seen before the answer goes out: no write (it would throw), no further read (it would too).
        var requests = new ScriptedRequestStream().Message(RequestHeaders).Message(ResponseHeaders, before: _context.Abort);
        var responses = new RecordingResponseStream();

        await _service.Process(requests, responses, _context);

        Assert.Equal(1, responses.Attempts);
        Assert.Equal(2, requests.Reads);
        AssertEnded(cancelled: true);
    }

    [Theory]
    [MemberData(nameof(TransportExceptions))]
    public async Task Process_WriterThrowsOnReset_ReturnsCountedCancelled(Exception reset)
    {
        var requests = new ScriptedRequestStream().Message(RequestHeaders).Message(ResponseHeaders);
        var responses = new RecordingResponseStream(write => write == 1 ? reset : null);

        await _service.Process(requests, responses, _context);

        Assert.Equal(2, requests.Reads);
        AssertEnded(cancelled: true);
    }

    [Fact]
    public async Task Process_WriterRefusesAfterTheRequestIsComplete_ReturnsCountedCancelled()
    {
        var requests = new ScriptedRequestStream().Message(RequestHeaders);
        var responses = new RecordingResponseStream(_ =>
        {
            // The token was cancelled between the loop's check and Grpc.AspNetCore's own.
            _context.Abort();
            return new InvalidOperationException("Can't write the message because the request is complete.");
        });

        await _service.Process(requests, responses, _context);

        AssertEnded(cancelled: true);
    }

    [Fact]
    public async Task Process_MalformedFrame_RpcExceptionPropagatesCountedCompleted()
    {
        var requests = new ScriptedRequestStream().Message([0x12, 0x40, 0x0A]);

        var error = await Assert.ThrowsAsync<RpcException>(() => _service.Process(requests, new RecordingResponseStream(), _context));

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Equal(1, _counters.StreamsCompleted);
        Assert.Equal(0, _counters.StreamsCancelled);
    }

    private void AssertEnded(bool cancelled)
    {
        Assert.Equal(1, _counters.StreamsStarted);
        Assert.Equal(cancelled ? 0 : 1, _counters.StreamsCompleted);
        Assert.Equal(cancelled ? 1 : 0, _counters.StreamsCancelled);
        Assert.Equal([cancelled], _ends.Ends);
    }

    /// <summary>Records how each routed exchange ended, as the telemetry and the tripwire are told.</summary>
    private sealed class EndRecorder : IExchangeObserver
    {
        public List<bool> Ends { get; } = [];

        public void OnResponseHeaders(ref ExchangeState state)
        {
        }

        public void OnResponseBody(ref ExchangeState state, ReadOnlySpan<byte> chunk, bool endOfStream)
        {
        }

        public void OnExchangeEnd(ref ExchangeState state, bool cancelled) => Ends.Add(cancelled);
    }
}
