using System.Net.Sockets;
using Canary.Sidecar.Processing;
using Canary.Sidecar.Routing;
using Envoy.Config.Core.V3;
using Envoy.Service.ExtProc.V3;
using Google.Protobuf;
using Grpc.Core;
using Grpc.Net.Client;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Xunit.Abstractions;

namespace Canary.Sidecar.FunctionalTests;

/// <summary>
/// Streams ended the way Envoy ends them: a half-close followed at once by RST_STREAM, a reset alone in the middle of
/// a body, or the connection dropped. Each is a normal end: the sidecar counts it (as completed when the half-close
/// reached it first, as cancelled when the reset did) and logs nothing at Warning or above, from any category. Every
/// stream of a test shares one HTTP/2 connection, which must survive them all (Kestrel's rapid-reset defence refuses
/// streams, then drops the connection, only when streams the client reset pile up unfinished).
/// </summary>
public sealed class StreamResetTests : IAsyncLifetime
{
    private const int EnvoyEnds = 10_000;
    private const int BodyResets = 1_000;
    private const int DroppedStreams = 50;

    // Envoy's processor cluster keeps many streams in flight on few connections; 64 on one connection is that shape
    // and keeps two loaded cores from spending the test's time on client-side queueing.
    private static readonly ParallelOptions InFlight = new() { MaxDegreeOfParallelism = 64 };

    private static readonly Method<byte[], byte[]> ProcessMethod = new(
        MethodType.DuplexStreaming, ExternalProcessorBinding.ServiceName, "Process",
        Marshallers.Create(static b => b, static b => b), Marshallers.Create(static b => b, static b => b));

    // The forced canary user, so every stream exercises the canary arm's telemetry and tripwire.
    private static readonly byte[] RequestHeaders = RequestHeadersFor("tester");

    // The tripwire counts a stream that ends before response_headers as a failure of its arm (a canary that drops
    // requests is failing). Streams reset that early go to stable, so the test's resets cannot trip the canary.
    private static readonly byte[] StableRequestHeaders = RequestHeadersFor(
        Enumerable.Range(0, 100).Select(i => $"user-{i}").First(u => StickyBucket.Compute("functional"u8, System.Text.Encoding.UTF8.GetBytes(u)) >= 2500));

    private static readonly byte[] RequestBody = Frame(new ProcessingRequest
    {
        RequestBody = new HttpBody { Body = ByteString.CopyFromUtf8("{\"model\":\"gpt-4o\",\"messages\":[]}"), EndOfStream = false },
    });

    private static readonly byte[] ResponseHeaders = Frame(new ProcessingRequest
    {
        ResponseHeaders = Headers(endOfStream: false, (":status", "200"), ("content-type", "text/event-stream")),
    });

    private static readonly byte[] ResponseBody = Frame(new ProcessingRequest
    {
        ResponseBody = new HttpBody { Body = ByteString.CopyFromUtf8("data: {\"choices\":[{\"delta\":{\"content\":\"hi\"}}]}\n\n"), EndOfStream = false },
    });

    private readonly CapturingLoggerProvider _logs = new(LogLevel.Warning);
    private readonly SidecarHost _host;
    private readonly ITestOutputHelper _output;

    public StreamResetTests(ITestOutputHelper output)
    {
        _output = output;
        _host = new SidecarHost([], configure: builder => builder.Logging.AddProvider(_logs));
    }

    private ProcessingCounters Counters => _host.Services.GetRequiredService<ProcessingCounters>();

    // What the host logged while starting (no control token, no database): configuration notices, not stream ends.
    private int _startupEntries;

    public async Task InitializeAsync()
    {
        await _host.InitializeAsync();
        _startupEntries = _logs.Entries.Count;
    }

    public Task DisposeAsync() => _host.DisposeAsync();

    [Fact]
    public async Task Process_HalfCloseThenReset_EveryStreamCountedAndNothingLogged()
    {
        using var connection = new CountedConnection(_host.ExtProcPort);
        var invoker = connection.Channel.CreateCallInvoker();

        await Parallel.ForAsync(0, EnvoyEnds, InFlight, async (_, _) => await EndLikeEnvoyAsync(invoker));

        await WaitUntilAllEndedAsync(EnvoyEnds);
        _output.WriteLine($"{EnvoyEnds} Envoy-style ends: {Counters.StreamsCompleted} completed (half-close first), {Counters.StreamsCancelled} cancelled (reset first)");
        // Each reset races its half-close: the server sees the half-close first (and completes the stream), or only
        // the reset (and cancels it), or the reset after its own trailers (and no counter moves). Over thousands of
        // streams some resets win; a count of zero would mean the client never reset and the test proved nothing.
        Assert.True(Counters.StreamsCancelled > 0, $"no stream out of {EnvoyEnds} was ended by its reset");
        await AssertStillServingAsync(connection);
        Assert.Equal(1, connection.Opened);
        AssertNothingLogged();
    }

    [Fact]
    public async Task Process_ResetInTheMiddleOfABody_EveryStreamCancelledAndNothingLogged()
    {
        using var connection = new CountedConnection(_host.ExtProcPort);
        var invoker = connection.Channel.CreateCallInvoker();

        await Parallel.ForAsync(0, BodyResets, InFlight, async (i, _) => await ResetInBodyAsync(invoker, responseSide: i % 2 == 1));

        // None of these streams was half-closed: only the reset can have ended them.
        await WaitUntilAllEndedAsync(BodyResets);
        Assert.Equal(BodyResets, Counters.StreamsCancelled);
        await AssertStillServingAsync(connection);
        Assert.Equal(1, connection.Opened);
        AssertNothingLogged();
    }

    [Fact]
    public async Task Process_ClientConnectionDropped_OpenStreamsCancelledAndNothingLogged()
    {
        using (var dropped = new CountedConnection(_host.ExtProcPort))
        {
            var invoker = dropped.Channel.CreateCallInvoker();
            var calls = new List<AsyncDuplexStreamingCall<byte[], byte[]>>();
            for (var i = 0; i < DroppedStreams; i++)
            {
                var call = invoker.AsyncDuplexStreamingCall(ProcessMethod, null, default);
                calls.Add(call);
                await ExchangeAsync(call, StableRequestHeaders);
            }

            // Every stream is open on the server (each answered its request_headers) when the socket goes.
            dropped.Drop();
            foreach (var call in calls)
            {
                call.Dispose();
            }
        }

        await WaitUntilAllEndedAsync(DroppedStreams);
        Assert.Equal(DroppedStreams, Counters.StreamsCancelled);
        using var connection = new CountedConnection(_host.ExtProcPort);
        await AssertStillServingAsync(connection);
        AssertNothingLogged();
    }

    [Fact]
    public async Task Process_MalformedFrame_InvalidArgumentCountedCompletedAndNothingLogged()
    {
        // Bad input still ends with its status (Grpc.AspNetCore logs an RpcException at Information).
        using var connection = new CountedConnection(_host.ExtProcPort);
        using (var call = connection.Channel.CreateCallInvoker().AsyncDuplexStreamingCall(ProcessMethod, null, default))
        {
            await call.RequestStream.WriteAsync([0x12, 0x40, 0x0A]);
            var error = await Assert.ThrowsAsync<RpcException>(async () => await call.ResponseStream.MoveNext());
            Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        }

        await WaitUntilAllEndedAsync(1);
        Assert.Equal(1, Counters.StreamsCompleted);
        Assert.Equal(1, Counters.MalformedMessages);
        AssertNothingLogged();
    }

    /// <summary>request_headers, response_headers, then a half-close and, without waiting for the trailers, a reset.</summary>
    private static async Task EndLikeEnvoyAsync(CallInvoker invoker)
    {
        using var call = invoker.AsyncDuplexStreamingCall(ProcessMethod, null, default);
        await ExchangeAsync(call, RequestHeaders);
        await ExchangeAsync(call, ResponseHeaders);
        await call.RequestStream.CompleteAsync();
        // Disposing a call whose response has not ended cancels it: SocketsHttpHandler sends RST_STREAM(CANCEL).
    }

    /// <summary>Sends a body chunk and resets without reading its answer or half-closing: the reset reaches the
    /// server while it reads, handles or answers the chunk.</summary>
    private static async Task ResetInBodyAsync(CallInvoker invoker, bool responseSide)
    {
        using var call = invoker.AsyncDuplexStreamingCall(ProcessMethod, null, default);
        if (responseSide)
        {
            await ExchangeAsync(call, RequestHeaders);
            await ExchangeAsync(call, ResponseHeaders);
            await call.RequestStream.WriteAsync(ResponseBody);
        }
        else
        {
            await ExchangeAsync(call, StableRequestHeaders);
            await call.RequestStream.WriteAsync(RequestBody);
        }
    }

    private static async Task ExchangeAsync(AsyncDuplexStreamingCall<byte[], byte[]> call, byte[] frame)
    {
        await call.RequestStream.WriteAsync(frame);
        Assert.True(await call.ResponseStream.MoveNext(), "the stream ended before its answer");
    }

    /// <summary>A whole stream ended gracefully, on the connection the resets used: answered, status OK.</summary>
    private static async Task AssertStillServingAsync(CountedConnection connection)
    {
        using var call = connection.Channel.CreateCallInvoker().AsyncDuplexStreamingCall(ProcessMethod, null, default);
        await call.RequestStream.WriteAsync(RequestHeaders);
        Assert.True(await call.ResponseStream.MoveNext());
        Assert.Equal(ProcessingResponse.ResponseOneofCase.RequestHeaders, ProcessingResponse.Parser.ParseFrom(call.ResponseStream.Current).ResponseCase);
        await call.RequestStream.WriteAsync(ResponseHeaders);
        Assert.True(await call.ResponseStream.MoveNext());
        Assert.Equal(ProcessingResponse.ResponseOneofCase.ResponseHeaders, ProcessingResponse.Parser.ParseFrom(call.ResponseStream.Current).ResponseCase);
        await call.RequestStream.CompleteAsync();
        Assert.False(await call.ResponseStream.MoveNext());
        Assert.Equal(StatusCode.OK, call.GetStatus().StatusCode);
    }

    /// <summary>Waits until the server has started <paramref name="streams"/> streams and ended every one of them.</summary>
    private Task WaitUntilAllEndedAsync(int streams)
    {
        var counters = Counters;
        return Eventually.UntilAsync(
            () => Task.FromResult((Started: counters.StreamsStarted, Completed: counters.StreamsCompleted, Cancelled: counters.StreamsCancelled)),
            c => c.Started == streams && c.Completed + c.Cancelled == c.Started,
            $"{streams} streams started and each counted as completed or cancelled");
    }

    private void AssertNothingLogged()
    {
        var logged = _logs.Entries.Count - _startupEntries;
        Assert.True(logged == 0, $"{logged} log entries at Warning or above after start-up, first:{Environment.NewLine}{_logs.Describe(skip: _startupEntries)}");
    }

    private static HttpHeaders Headers(bool endOfStream, params (string Key, string Value)[] headers)
    {
        var map = new HeaderMap();
        foreach (var (key, value) in headers)
        {
            map.Headers.Add(new HeaderValue { Key = key, RawValue = ByteString.CopyFromUtf8(value) });
        }

        return new HttpHeaders { Headers = map, EndOfStream = endOfStream };
    }

    private static byte[] RequestHeadersFor(string user) => Frame(new ProcessingRequest
    {
        RequestHeaders = Headers(endOfStream: false, (":authority", "chat.example.internal"), (":path", "/v1/chat/completions"), ("x-user-id", user)),
    });

    private static byte[] Frame(ProcessingRequest request) => request.ToByteArray();

    /// <summary>
    /// A channel on exactly one HTTP/2 connection whose socket the test can see: it counts the connections opened
    /// (one means the server never dropped the connection) and can drop the socket with a TCP reset.
    /// </summary>
    private sealed class CountedConnection : IDisposable
    {
        private readonly List<Socket> _sockets = [];

        public CountedConnection(int port)
        {
            Channel = GrpcChannel.ForAddress($"http://127.0.0.1:{port}", new GrpcChannelOptions
            {
                HttpHandler = new SocketsHttpHandler
                {
                    EnableMultipleHttp2Connections = false,
                    ConnectCallback = async (context, cancellationToken) =>
                    {
                        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                        await socket.ConnectAsync(context.DnsEndPoint, cancellationToken);
                        lock (_sockets)
                        {
                            _sockets.Add(socket);
                        }

                        return new NetworkStream(socket, ownsSocket: true);
                    },
                },
            });
        }

        public GrpcChannel Channel { get; }

        public int Opened
        {
            get
            {
                lock (_sockets)
                {
                    return _sockets.Count;
                }
            }
        }

        /// <summary>Closes every socket with a zero linger: the server sees a TCP reset, as when a client dies.</summary>
        public void Drop()
        {
            lock (_sockets)
            {
                foreach (var socket in _sockets)
                {
                    socket.LingerState = new LingerOption(true, 0);
                    socket.Close();
                }
            }
        }

        public void Dispose() => Channel.Dispose();
    }
}
