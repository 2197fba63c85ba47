using System.Diagnostics;
using Canary.EnvoyClient.ExtProc;
using Grpc.Core;
using Grpc.Net.Client;
using HdrHistogram;

namespace Canary.LoadGenerator;

/// <summary>
/// Drives ext_proc streams the way Envoy does: each HTTP request is one bidirectional stream, many streams share each
/// HTTP/2 connection, every message waits for its answer before the next, and a stream ends with a half-close and an
/// immediate reset (<c>--graceful-end</c> waits for the server's trailers instead). Closed loop keeps a fixed number of streams
/// in flight; open loop starts streams at a fixed rate and measures each from its intended start, so a stalled server
/// cannot hide its queueing (no coordinated omission).
/// </summary>
internal sealed class LoadRunner
{
    private readonly LoadOptions _options;
    private readonly StreamScript _script;
    private readonly CallInvoker[] _invokers;
    private readonly GrpcChannel[] _channels;
    private long _userCounter;

    public LoadRunner(LoadOptions options)
    {
        _options = options;
        _script = new StreamScript(options.Users, options.BodyChunks, options.Authority);
        _channels = new GrpcChannel[options.Connections];
        _invokers = new CallInvoker[options.Connections];
        for (var i = 0; i < options.Connections; i++)
        {
            // One channel with one HTTP/2 connection each: Envoy's processor cluster behaves the same way.
            _channels[i] = GrpcChannel.ForAddress(options.Target, new GrpcChannelOptions
            {
                HttpHandler = new SocketsHttpHandler { EnableMultipleHttp2Connections = false, PooledConnectionIdleTimeout = Timeout.InfiniteTimeSpan },
            });
            _invokers[i] = _channels[i].CreateCallInvoker();
        }
    }

    public LoadResult Results { get; } = new();

    /// <summary>Runs the warm-up, then <paramref name="measuredPhaseStarting"/> (server counters are read there, so the
    /// warm-up's allocations are not charged to the measured streams), then the measured phase.</summary>
    public async Task RunAsync(Func<Task>? measuredPhaseStarting = null)
    {
        using (var warmup = new CancellationTokenSource(_options.Warmup))
        {
            await RunPhaseAsync(record: false, warmup.Token).ConfigureAwait(false);
        }

        if (measuredPhaseStarting is not null)
        {
            await measuredPhaseStarting().ConfigureAwait(false);
        }

        Results.Reset();
        var clock = Stopwatch.StartNew();
        using (var measured = new CancellationTokenSource(_options.Duration))
        {
            await RunPhaseAsync(record: true, measured.Token).ConfigureAwait(false);
        }

        Results.Elapsed = clock.Elapsed;
        foreach (var channel in _channels)
        {
            channel.Dispose();
        }
    }

    private Task RunPhaseAsync(bool record, CancellationToken stop) =>
        _options.Mode == "open" ? OpenLoopAsync(record, stop) : ClosedLoopAsync(record, stop);

    private async Task ClosedLoopAsync(bool record, CancellationToken stop)
    {
        var workers = new Task[_options.Concurrency];
        for (var w = 0; w < workers.Length; w++)
        {
            var invoker = _invokers[w % _invokers.Length];
            var delay = _options.RampUp * w / workers.Length;
            workers[w] = Task.Run(async () =>
            {
                if (delay > TimeSpan.Zero)
                {
                    await Task.Delay(delay, CancellationToken.None).ConfigureAwait(false);
                }

                while (!stop.IsCancellationRequested)
                {
                    await OneStreamAsync(invoker, Stopwatch.GetTimestamp(), record).ConfigureAwait(false);
                }
            });
        }

        await Task.WhenAll(workers).ConfigureAwait(false);
    }

    private async Task OpenLoopAsync(bool record, CancellationToken stop)
    {
        var gate = new SemaphoreSlim(_options.Concurrency);
        var drained = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        // Streams still running, plus one held by this loop until it stops issuing. A counter rather than a list of
        // tasks: when the server falls behind, the backlog can reach millions, and scanning a list of them every
        // millisecond would make the client, not the server, the bottleneck.
        long pending = 1;
        var start = Stopwatch.GetTimestamp();
        var interval = (double)Stopwatch.Frequency / _options.Rate;
        long issued = 0;
        while (!stop.IsCancellationRequested)
        {
            var due = (long)((Stopwatch.GetTimestamp() - start) / interval);
            for (; issued < due && !stop.IsCancellationRequested; issued++)
            {
                var intended = start + (long)(issued * interval);
                var invoker = _invokers[issued % _invokers.Length];
                Interlocked.Increment(ref pending);
                _ = Task.Run(async () =>
                {
                    // Time spent waiting for a free slot counts: the stream was due at its intended start.
                    await gate.WaitAsync().ConfigureAwait(false);
                    try
                    {
                        await OneStreamAsync(invoker, intended, record).ConfigureAwait(false);
                    }
                    finally
                    {
                        gate.Release();
                        if (Interlocked.Decrement(ref pending) == 0)
                        {
                            drained.TrySetResult();
                        }
                    }
                });
            }

            await Task.Delay(1).ConfigureAwait(false);
        }

        if (Interlocked.Decrement(ref pending) == 0)
        {
            drained.TrySetResult();
        }

        await drained.Task.ConfigureAwait(false);
    }

    private async Task OneStreamAsync(CallInvoker invoker, long intendedStart, bool record)
    {
        var user = (int)(Interlocked.Increment(ref _userCounter) % _script.RequestHeaders.Length);
        var open = Interlocked.Increment(ref Results.InFlight);
        long peak;
        while (open > (peak = Interlocked.Read(ref Results.PeakInFlight)) && Interlocked.CompareExchange(ref Results.PeakInFlight, open, peak) != peak)
        {
        }

        try
        {
            using var call = invoker.AsyncDuplexStreamingCall(ExtProcExchange.ProcessMethod, null, new CallOptions());
            await ExchangeAsync(call, _script.RequestHeaders[user], record ? Results.RequestHeaders : null).ConfigureAwait(false);
            await ExchangeAsync(call, _script.ResponseHeaders, record ? Results.ResponseHeaders : null).ConfigureAwait(false);
            foreach (var chunk in _script.BodyChunks)
            {
                if (_options.ChunkInterval > TimeSpan.Zero)
                {
                    await Task.Delay(_options.ChunkInterval).ConfigureAwait(false);
                }

                await ExchangeAsync(call, chunk, record ? Results.ResponseBody : null).ConfigureAwait(false);
            }

            if (_options.Hold > TimeSpan.Zero)
            {
                await Task.Delay(_options.Hold).ConfigureAwait(false);
            }

            if (_options.GracefulEnd)
            {
                await ExtProcExchange.CompleteAsync(call).ConfigureAwait(false);
            }
            else
            {
                await ExtProcExchange.HalfCloseAndResetAsync(call).ConfigureAwait(false);
            }

            if (record)
            {
                Record(Results.Stream, intendedStart);
                Interlocked.Increment(ref Results.Streams);
            }
        }
        catch (Exception e) when (e is RpcException or IOException or HttpRequestException or InvalidOperationException)
        {
            // Every failed stream is an error, whatever layer reported it (a reset connection surfaces as IOException).
            if (record)
            {
                Interlocked.Increment(ref Results.Errors);
                Interlocked.CompareExchange(ref Results.FirstError, $"{e.GetType().Name}: {e.Message}", null);
            }
        }
        finally
        {
            Interlocked.Decrement(ref Results.InFlight);
        }
    }

    private static async Task ExchangeAsync(AsyncDuplexStreamingCall<byte[], byte[]> call, byte[] frame, LongConcurrentHistogram? histogram)
    {
        var sent = Stopwatch.GetTimestamp();
        await ExtProcExchange.ExchangeAsync(call, frame).ConfigureAwait(false);

        if (histogram is not null)
        {
            Record(histogram, sent);
        }
    }

    private static void Record(LongConcurrentHistogram histogram, long since)
    {
        var micros = (Stopwatch.GetTimestamp() - since) * 1_000_000 / Stopwatch.Frequency;
        histogram.RecordValue(Math.Clamp(micros, 1, 3_600_000_000));
    }
}
