using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;

namespace Canary.LoadGenerator.Chat;

/// <summary>
/// Drives an OpenAI-compatible HTTP endpoint with chat-completion requests, closed loop: each of N workers sends a
/// request, reads the answer to its last byte, and sends the next. Over HTTP/1.1 every worker keeps its own
/// keep-alive connection (the pool opens one per request in flight, as an SDK's pool does under load); over HTTP/2
/// (prior knowledge) the workers share <c>--connections</c> connections. Each user id in turn, so the proxy sees many
/// distinct users. A request counts as an error unless it is answered 200 and ends as the API ends it (the SSE
/// stream's <c>data: [DONE]</c>, the JSON's closing brace).
/// </summary>
internal sealed class ChatLoadRunner
{
    private static readonly byte[] StreamEnd = "data: [DONE]\n\n"u8.ToArray();
    private static readonly MediaTypeHeaderValue Json = new("application/json");

    private readonly LoadOptions _options;
    private readonly Uri _uri;
    private readonly byte[][] _bodies;
    private readonly HttpMessageInvoker[] _invokers;
    private long _userCounter;

    public ChatLoadRunner(LoadOptions options)
    {
        _options = options;
        _uri = new Uri(new Uri(options.Target), options.Path);
        _bodies = ChatRequestBodies.Build(options.Users, options.Stream);
        _invokers = new HttpMessageInvoker[options.Http2 ? options.Connections : 1];
        for (var i = 0; i < _invokers.Length; i++)
        {
            _invokers[i] = new HttpMessageInvoker(new SocketsHttpHandler
            {
                UseProxy = false,
                AutomaticDecompression = DecompressionMethods.None,
                PooledConnectionIdleTimeout = Timeout.InfiniteTimeSpan,
                EnableMultipleHttp2Connections = false,
            });
        }
    }

    public LoadResult Results { get; } = new();

    /// <summary>Warm-up, then <paramref name="measuredPhaseStarting"/> (server counters are read there), then the measured phase.</summary>
    public async Task RunAsync(Func<Task>? measuredPhaseStarting = null)
    {
        using (var warmup = new CancellationTokenSource(_options.Warmup))
        {
            await ClosedLoopAsync(record: false, warmup.Token).ConfigureAwait(false);
        }

        if (measuredPhaseStarting is not null)
        {
            await measuredPhaseStarting().ConfigureAwait(false);
        }

        Results.Reset();
        var clock = Stopwatch.StartNew();
        using (var measured = new CancellationTokenSource(_options.Duration))
        {
            await ClosedLoopAsync(record: true, measured.Token).ConfigureAwait(false);
        }

        Results.Elapsed = clock.Elapsed;
        foreach (var invoker in _invokers)
        {
            invoker.Dispose();
        }
    }

    private async Task ClosedLoopAsync(bool record, CancellationToken stop)
    {
        var workers = new Task[_options.Concurrency];
        for (var w = 0; w < workers.Length; w++)
        {
            var invoker = _invokers[w % _invokers.Length];
            workers[w] = Task.Run(async () =>
            {
                var buffer = new byte[16 * 1024];
                while (!stop.IsCancellationRequested)
                {
                    await OneRequestAsync(invoker, buffer, record).ConfigureAwait(false);
                }
            });
        }

        await Task.WhenAll(workers).ConfigureAwait(false);
    }

    private async Task OneRequestAsync(HttpMessageInvoker invoker, byte[] buffer, bool record)
    {
        var body = _bodies[(int)(Interlocked.Increment(ref _userCounter) % _bodies.Length)];
        var start = Stopwatch.GetTimestamp();
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, _uri)
            {
                Version = _options.Http2 ? HttpVersion.Version20 : HttpVersion.Version11,
                VersionPolicy = HttpVersionPolicy.RequestVersionExact,
                Content = new ByteArrayContent(body),
            };
            request.Content.Headers.ContentType = Json;
            request.Headers.TryAddWithoutValidation("authorization", "Bearer sk-bench");

            // The timeout only ends a run whose server stopped answering; no healthy request comes near it.
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            using var response = await invoker.SendAsync(request, timeout.Token).ConfigureAwait(false);
            if (record)
            {
                Record(Results.ResponseHeaders, start);
            }

            var (length, tailMatches) = await ReadToEndAsync(response, buffer, timeout.Token).ConfigureAwait(false);
            var complete = _options.Stream ? tailMatches : length > 0 && buffer[(length - 1) % buffer.Length] == (byte)'}';
            if (response.StatusCode != HttpStatusCode.OK || !complete)
            {
                throw new HttpRequestException($"status {(int)response.StatusCode}, {length} bytes, {(complete ? "complete" : "incomplete")} answer");
            }

            if (record)
            {
                Record(Results.Stream, start);
                Interlocked.Increment(ref Results.Streams);
            }
        }
        catch (Exception e) when (e is HttpRequestException or IOException or OperationCanceledException)
        {
            if (record)
            {
                Interlocked.Increment(ref Results.Errors);
                Interlocked.CompareExchange(ref Results.FirstError, $"{e.GetType().Name}: {e.Message}", null);
            }
        }
    }

    /// <summary>Reads the answer to its end into a ring over <paramref name="buffer"/>; says how long it was and whether it ended with the SSE end.</summary>
    private static async Task<(long Length, bool EndsWithStreamEnd)> ReadToEndAsync(HttpResponseMessage response, byte[] buffer, CancellationToken cancellation)
    {
        var stream = await response.Content.ReadAsStreamAsync(cancellation).ConfigureAwait(false);
        await using (stream.ConfigureAwait(false))
        {
            long length = 0;
            int read;
            while ((read = await stream.ReadAsync(buffer.AsMemory((int)(length % buffer.Length)), cancellation).ConfigureAwait(false)) > 0)
            {
                length += read;
            }

            if (length < StreamEnd.Length)
            {
                return (length, false);
            }

            for (var i = 0; i < StreamEnd.Length; i++)
            {
                if (buffer[(length - StreamEnd.Length + i) % buffer.Length] != StreamEnd[i])
                {
                    return (length, false);
                }
            }

            return (length, true);
        }
    }

    private static void Record(HdrHistogram.LongConcurrentHistogram histogram, long since)
    {
        var micros = (Stopwatch.GetTimestamp() - since) * 1_000_000 / Stopwatch.Frequency;
        histogram.RecordValue(Math.Clamp(micros, 1, 3_600_000_000));
    }
}
