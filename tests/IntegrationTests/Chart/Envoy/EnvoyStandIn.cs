using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Text;
using Canary.EnvoyClient.ExtProc;
using Canary.IntegrationTests.Chart.Cluster;
using Envoy.Extensions.Filters.Http.ExtProc.V3;
using Envoy.Service.ExtProc.V3;
using Google.Protobuf;
using Grpc.Core;
using Grpc.Net.Client;

namespace Canary.IntegrationTests.Chart.Envoy;

/// <summary>
/// One Envoy (a workload pod's istio-proxy, or the ingress gateway) running the decoded EnvoyFilter: per request it runs
/// the HTTP filter chain in order (the header removal, then ext_proc to the processor cluster over HTTP/2 from this
/// proxy's pod network namespace, each message bounded by message_timeout, a failed or timed-out processor skipped as
/// failure_mode_allow says), routes on the headers as they then are (<see cref="MeshRoutes"/>), calls the chosen
/// inference pod, sends the response headers and, when the processor asks (mode_override), the streamed body chunks
/// through ext_proc, and ends the stream as Envoy does: half-close, then reset.
/// </summary>
internal sealed class EnvoyStandIn : IAsyncDisposable
{
    private readonly EnvoyFilterConfig _config;
    private readonly NetworkNamespace _network;
    private readonly Func<string, IReadOnlyList<IPAddress>> _resolve;
    private readonly MeshRoutes _routes;
    private readonly Func<IReadOnlyList<InferenceBackend>> _backends;
    private readonly string _subsetHeader;
    private readonly ConcurrentDictionary<IPEndPoint, GrpcChannel> _channels = new();
    private readonly HttpClient _http = new(new SocketsHttpHandler { MaxConnectionsPerServer = 256 }) { Timeout = TimeSpan.FromSeconds(30) };
    private long _picks;

    /// <param name="config">The decoded EnvoyFilter.</param>
    /// <param name="network">The network namespace the proxy's connections to the processor start from.</param>
    /// <param name="resolve">Cluster DNS: the addresses of a name (a STRICT_DNS cluster's Service).</param>
    /// <param name="routes">The VirtualServices and DestinationRules.</param>
    /// <param name="backends">The inference pods as they are now (a version's pods can be replaced).</param>
    /// <param name="subsetHeader">The header the VirtualServices match on, reported as the router saw it.</param>
    public EnvoyStandIn(EnvoyFilterConfig config, NetworkNamespace network, Func<string, IReadOnlyList<IPAddress>> resolve, MeshRoutes routes, Func<IReadOnlyList<InferenceBackend>> backends, string subsetHeader)
    {
        _subsetHeader = subsetHeader;
        _config = config;
        _network = network;
        _resolve = resolve;
        _routes = routes;
        _backends = backends;
    }

    /// <summary>A streamed chat completion request from <paramref name="headers"/> (":authority" included) on <paramref name="port"/>.</summary>
    public async Task<EnvoyResponse> SendAsync(IReadOnlyList<(string Key, string Value)> headers, int port, CancellationToken cancellationToken = default)
    {
        var request = new List<(string Key, string Value)>(headers);
        var applies = _config.ListenerPort is null || _config.ListenerPort == port;
        AsyncDuplexStreamingCall<byte[], byte[]>? call = null;
        ExtProcFilter? processor = null;
        var answered = false;
        try
        {
            foreach (var filter in applies ? _config.Chain : [new RouterFilter()])
            {
                switch (filter)
                {
                    case HeaderMutationFilter mutation:
                        request.RemoveAll(h => mutation.RemovedRequestHeaders.Contains(h.Key));
                        break;
                    case ExtProcFilter extProc when extProc.SendRequestHeaders:
                        processor = extProc;
                        call = Open(extProc);
                        var message = new ProcessingRequest { RequestHeaders = EnvoyHeaders.Headers([.. request], endOfStream: false) };
                        var answer = await ExchangeAsync(call, message, extProc, cancellationToken);
                        if (answer is null)
                        {
                            call = null;
                            break;
                        }

                        answered = true;
                        if (answer.ModeOverride is { RequestBodyMode: ProcessingMode.Types.BodySendMode.Buffered })
                        {
                            throw new NotSupportedException("request bodies (model-rewrite rollouts) are not emulated by the Envoy stand-in");
                        }

                        Apply(answer.RequestHeaders?.Response?.HeaderMutation, request);
                        break;
                }
            }

            var authority = request.First(h => h.Key == ":authority").Value;
            var host = authority.Split(':')[0];
            var subsetHeader = request.Where(h => h.Key == _subsetHeader).Select(h => h.Value).FirstOrDefault();
            var route = _routes.Route(host, request);
            var backends = _backends();
            var backend = route is { } r
                ? backends.First(b => b.Host == r.Host && r.PodLabels.All(l => b.Labels.TryGetValue(l.Key, out var v) && v == l.Value))
                : backends.First(b => b.Host == host);
            var (status, model) = await CallBackendAsync(backend, call, processor, cancellationToken);
            return new EnvoyResponse(subsetHeader, route?.Subset, answered, status, model);
        }
        finally
        {
            if (call is not null)
            {
                try
                {
                    await ExtProcExchange.HalfCloseAndResetAsync(call);
                }
                catch (Exception e) when (e is RpcException or InvalidOperationException or ObjectDisposedException or IOException)
                {
                    // The processor already failed this stream; Envoy would have dropped it too.
                }
            }
        }
    }

    private AsyncDuplexStreamingCall<byte[], byte[]> Open(ExtProcFilter filter)
    {
        Assert.Equal(_config.Cluster.Name, filter.ClusterName);
        var addresses = _config.Cluster.Type == "STATIC" ? [IPAddress.Parse(_config.Cluster.Address)] : _resolve(_config.Cluster.Address);
        Assert.NotEmpty(addresses);
        var endpoint = new IPEndPoint(addresses[(int)(Interlocked.Increment(ref _picks) % addresses.Count)], _config.Cluster.Port);
        var channel = _channels.GetOrAdd(endpoint, e => NamespacedChannel.Create(_network, e));
        return channel.CreateCallInvoker().AsyncDuplexStreamingCall(ExtProcExchange.ProcessMethod, null, default);
    }

    /// <summary>One message and its answer; null when the processor failed or timed out (failure_mode_allow: go on without it).</summary>
    private static async Task<ProcessingResponse?> ExchangeAsync(AsyncDuplexStreamingCall<byte[], byte[]> call, ProcessingRequest message, ExtProcFilter filter, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(filter.MessageTimeout);
        try
        {
            return ProcessingResponse.Parser.ParseFrom(await ExtProcExchange.ExchangeAsync(call, message.ToByteArray(), timeout.Token));
        }
        catch (Exception e) when (filter.FailureModeAllow && !cancellationToken.IsCancellationRequested && e is RpcException or OperationCanceledException or HttpRequestException or IOException)
        {
            call.Dispose();
            return null;
        }
    }

    private static void Apply(HeaderMutation? mutation, List<(string Key, string Value)> headers)
    {
        if (mutation is null)
        {
            return;
        }

        foreach (var remove in mutation.RemoveHeaders)
        {
            headers.RemoveAll(h => h.Key == remove);
        }

        foreach (var set in mutation.SetHeaders)
        {
            var value = set.Header.RawValue.Length > 0 ? set.Header.RawValue.ToStringUtf8() : set.Header.Value;
            headers.RemoveAll(h => h.Key == set.Header.Key);
            headers.Add((set.Header.Key, value));
        }
    }

    private async Task<(int Status, string? Model)> CallBackendAsync(InferenceBackend backend, AsyncDuplexStreamingCall<byte[], byte[]>? call, ExtProcFilter? filter, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(backend.BaseAddress, "v1/chat/completions"))
        {
            Content = new StringContent("{\"model\":\"chat\",\"stream\":true,\"stream_options\":{\"include_usage\":true},\"messages\":[{\"role\":\"user\",\"content\":\"Hello\"}]}", Encoding.UTF8, "application/json"),
        };
        using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        var status = (int)response.StatusCode;
        var model = response.Headers.TryGetValues("x-model", out var models) ? models.First() : null;
        await using var body = await response.Content.ReadAsStreamAsync(cancellationToken);
        var buffer = new byte[16 * 1024];
        var streamBody = false;
        if (call is not null && filter is { SendResponseHeaders: true })
        {
            var headers = new List<(string, string)>
            {
                (":status", status.ToString(CultureInfo.InvariantCulture)),
                ("content-type", response.Content.Headers.ContentType?.ToString() ?? "application/octet-stream"),
            };
            headers.AddRange(response.Headers.Select(h => (h.Key.ToLowerInvariant(), string.Join(", ", h.Value))));
            var answer = await ExchangeAsync(call, new ProcessingRequest { ResponseHeaders = EnvoyHeaders.Headers([.. headers], endOfStream: false) }, filter, cancellationToken);
            streamBody = filter.AllowModeOverride && answer?.ModeOverride is { ResponseBodyMode: ProcessingMode.Types.BodySendMode.Streamed };
            if (answer is null)
            {
                call = null;
            }
        }

        int read;
        while ((read = await body.ReadAsync(buffer, cancellationToken)) > 0)
        {
            if (streamBody && call is not null)
            {
                var chunk = new ProcessingRequest { ResponseBody = new HttpBody { Body = ByteString.CopyFrom(buffer, 0, read), EndOfStream = false } };
                streamBody = await ExchangeAsync(call, chunk, filter!, cancellationToken) is not null;
            }
        }

        if (streamBody && call is not null)
        {
            await ExchangeAsync(call, new ProcessingRequest { ResponseBody = new HttpBody { EndOfStream = true } }, filter!, cancellationToken);
        }

        return (status, model);
    }

    public ValueTask DisposeAsync()
    {
        _http.Dispose();
        foreach (var channel in _channels.Values)
        {
            channel.Dispose();
        }

        return ValueTask.CompletedTask;
    }
}
