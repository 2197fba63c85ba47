using System.Globalization;
using System.Text;
using Canary.Demo.FakeModels;
using Canary.EnvoyClient.ExtProc;
using Envoy.Extensions.Filters.Http.ExtProc.V3;
using Envoy.Service.ExtProc.V3;
using Google.Protobuf;
using Grpc.Core;
using Grpc.Net.Client;

namespace Canary.Demo.Driver;

/// <summary>
/// Plays Envoy for many users (a <see cref="UserPopulation"/>: a few heavy users send much of the traffic, and each user
/// has their own latency and error habits): per request it asks the sidecar over ext_proc which subset to use, calls that subset's
/// backend over HTTP, and streams the backend's real response headers and body chunks back through the same ext_proc
/// stream, so the sidecar measures real responses. A failed ext_proc stream means stable, as with failure_mode_allow.
/// </summary>
internal sealed class TrafficDriver : ITrafficDriver
{
    private const string SubsetHeader = "x-canary-subset";
    private readonly DriverOptions _options;
    private readonly TimeProvider _time;
    private readonly GrpcChannel _channel;
    private readonly CallInvoker _invoker;
    private readonly HttpClient _http;
    private readonly Random _random;
    private readonly UserPopulation _users;

    public TrafficDriver(DriverOptions options, TimeProvider time)
    {
        _options = options;
        _time = time;
        _random = new Random(options.Seed);
        _users = new UserPopulation(options.Users, options.ZipfExponent, options.Seed, options.HabitsSigma);
        // One HTTP/2 connection carrying every stream, as Envoy's ext_proc cluster does per worker.
        _channel = GrpcChannel.ForAddress(options.ExtProc, new GrpcChannelOptions
        {
            HttpHandler = new SocketsHttpHandler { EnableMultipleHttp2Connections = false, PooledConnectionIdleTimeout = Timeout.InfiniteTimeSpan },
        });
        _invoker = _channel.CreateCallInvoker();
        _http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = options.MaxInFlight }) { Timeout = TimeSpan.FromSeconds(30) };
    }

    public DriverStats Stats { get; } = new();

    /// <summary>Who sends the traffic: Zipf request rates and per-user latency and error multipliers.</summary>
    public UserPopulation Users => _users;

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var start = _time.GetTimestamp();
        long issued = 0;
        while (!cancellationToken.IsCancellationRequested)
        {
            var due = (long)(_time.GetElapsedTime(start).TotalSeconds * _options.RequestsPerSecond);
            for (; issued < due; issued++)
            {
                if (Interlocked.Read(ref Stats.InFlight) >= _options.MaxInFlight)
                {
                    Interlocked.Increment(ref Stats.Shed);
                    continue;
                }

                var user = _users.Draw(_random);
                Interlocked.Increment(ref Stats.InFlight);
                Interlocked.Increment(ref Stats.Started);
                _ = Task.Run(() => OneRequestAsync(user, cancellationToken), CancellationToken.None);
            }

            try
            {
                await Task.Delay(TimeSpan.FromMilliseconds(10), _time, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }

        var drainUntil = _time.GetTimestamp();
        while (Interlocked.Read(ref Stats.InFlight) > 0 && _time.GetElapsedTime(drainUntil) < TimeSpan.FromSeconds(5))
        {
            await Task.Delay(TimeSpan.FromMilliseconds(20), _time, CancellationToken.None).ConfigureAwait(false);
        }
    }

    private async Task OneRequestAsync(int userIndex, CancellationToken cancellationToken)
    {
        var user = _users.Key(userIndex);
        var traits = new UserTraits(_users.LatencyFactor(userIndex), _users.ErrorFactor(userIndex));
        try
        {
            using var call = _invoker.AsyncDuplexStreamingCall(ExtProcExchange.ProcessMethod, null, new CallOptions(cancellationToken: cancellationToken));
            string subset;
            try
            {
                var requestHeaders = new ProcessingRequest { RequestHeaders = EnvoyHeaders.Headers(EnvoyHeaders.RealisticRequest(_options.Authority, user), endOfStream: false) };
                var answer = ProcessingResponse.Parser.ParseFrom(await ExtProcExchange.ExchangeAsync(call, requestHeaders.ToByteArray(), cancellationToken).ConfigureAwait(false));
                subset = SubsetOf(answer) ?? _options.StableSubset;
            }
            catch (RpcException)
            {
                Interlocked.Increment(ref Stats.SidecarFailures);
                await CallBackendAsync(_options.StableSubset, traits, null, cancellationToken).ConfigureAwait(false);
                return;
            }

            Interlocked.Increment(ref subset == _options.StableSubset ? ref Stats.RoutedStable : ref Stats.RoutedCanary);
            await CallBackendAsync(subset, traits, call, cancellationToken).ConfigureAwait(false);
            await ExtProcExchange.CompleteAsync(call, cancellationToken).ConfigureAwait(false);
            Interlocked.Increment(ref Stats.Completed);
        }
        catch (RpcException)
        {
            Interlocked.Increment(ref Stats.SidecarFailures);
        }
        catch (Exception e) when (e is OperationCanceledException or HttpRequestException or IOException)
        {
            // Shutting down, or a backend connection failed: neither is the sidecar's business.
        }
        finally
        {
            Interlocked.Decrement(ref Stats.InFlight);
        }
    }

    private async Task CallBackendAsync(string subset, UserTraits traits, AsyncDuplexStreamingCall<byte[], byte[]>? call, CancellationToken cancellationToken)
    {
        if (!_options.Backends.TryGetValue(subset, out var backend))
        {
            backend = _options.Backends[_options.StableSubset];
        }

        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(backend, "v1/chat/completions"))
        {
            Content = new StringContent("{\"model\":\"demo\",\"stream\":true,\"stream_options\":{\"include_usage\":true},\"messages\":[{\"role\":\"user\",\"content\":\"Hello\"}]}", Encoding.UTF8, "application/json"),
        };
        request.Headers.Add(UserTraits.LatencyHeader, traits.LatencyText);
        request.Headers.Add(UserTraits.ErrorHeader, traits.ErrorText);
        using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
        await using var body = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        var buffer = new byte[16 * 1024];
        if (call is null)
        {
            while (await body.ReadAsync(buffer, cancellationToken).ConfigureAwait(false) > 0)
            {
            }

            return;
        }

        var headers = new List<(string, string)>
        {
            (":status", ((int)response.StatusCode).ToString(CultureInfo.InvariantCulture)),
            ("content-type", response.Content.Headers.ContentType?.ToString() ?? "application/octet-stream"),
        };
        foreach (var header in response.Headers)
        {
            headers.Add((header.Key.ToLowerInvariant(), string.Join(", ", header.Value)));
        }

        var responseHeaders = new ProcessingRequest { ResponseHeaders = EnvoyHeaders.Headers([.. headers], endOfStream: false) };
        var answer = ProcessingResponse.Parser.ParseFrom(await ExtProcExchange.ExchangeAsync(call, responseHeaders.ToByteArray(), cancellationToken).ConfigureAwait(false));
        var streamBody = answer.ModeOverride is { ResponseBodyMode: ProcessingMode.Types.BodySendMode.Streamed };
        int read;
        while ((read = await body.ReadAsync(buffer, cancellationToken).ConfigureAwait(false)) > 0)
        {
            if (streamBody)
            {
                var chunk = new ProcessingRequest { ResponseBody = new HttpBody { Body = ByteString.CopyFrom(buffer, 0, read), EndOfStream = false } };
                await ExtProcExchange.ExchangeAsync(call, chunk.ToByteArray(), cancellationToken).ConfigureAwait(false);
            }
        }

        if (streamBody)
        {
            var end = new ProcessingRequest { ResponseBody = new HttpBody { EndOfStream = true } };
            await ExtProcExchange.ExchangeAsync(call, end.ToByteArray(), cancellationToken).ConfigureAwait(false);
        }
    }

    private static string? SubsetOf(ProcessingResponse answer)
    {
        var mutation = answer.RequestHeaders?.Response?.HeaderMutation;
        if (mutation is null)
        {
            return null;
        }

        foreach (var option in mutation.SetHeaders)
        {
            if (option.Header.Key == SubsetHeader)
            {
                return option.Header.RawValue.Length > 0 ? option.Header.RawValue.ToStringUtf8() : option.Header.Value;
            }
        }

        return null;
    }

    public async ValueTask DisposeAsync()
    {
        _http.Dispose();
        await _channel.ShutdownAsync().ConfigureAwait(false);
        _channel.Dispose();
    }
}
