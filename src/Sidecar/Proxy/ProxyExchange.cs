using System.Text;
using Canary.Sidecar.Model;
using Canary.Sidecar.Telemetry.Scanning;
using Yarp.ReverseProxy.Forwarder;

namespace Canary.Sidecar.Proxy;

/// <summary>
/// One proxied exchange: what the decision chose (its <see cref="ExchangeState"/>, shared with the ext_proc path, the
/// upstream, the subset) and the forwarder's transformer for it, which adjusts the upstream request and tells the
/// exchange observers (telemetry, tripwire) about the response headers as YARP receives them. Body chunks reach the
/// observers through <see cref="ObservedResponseBody"/>. Used by one request at a time, on its own flow.
/// </summary>
internal sealed class ProxyExchange : HttpTransformer
{
    /// <summary>Client credential headers dropped when the upstream injects its own key.</summary>
    private static readonly string[] CredentialHeaders = ["authorization", "x-api-key", "api-key"];

    private readonly IExchangeObserver[] _observers;
    private readonly RoutingSettings _routing;

    public ProxyExchange(IExchangeObserver[] observers, RoutingSettings routing)
    {
        _observers = observers;
        _routing = routing;
    }

    /// <summary>The exchange as every observer sees it; <see cref="ExchangeState.Route"/> is null for unmatched requests.</summary>
    public ExchangeState State;

    public ProxyUpstream? Upstream { get; set; }

    /// <summary>The subset serving the request (sent upstream in the subset header); null for unmatched requests.</summary>
    public string? Subset { get; set; }

    /// <summary>Length of the body sent upstream (after a rewrite, the new one).</summary>
    public int BodyLength { get; set; }

    /// <summary>
    /// <see cref="System.Diagnostics.Stopwatch"/> timestamp of the upstream's last sign of life: its response headers,
    /// then each body chunk on its way to the client. Tells a stalled upstream from a client that went away when the
    /// forwarder reports its copy cancelled (see ProxyRequestHandler).
    /// </summary>
    public long LastUpstreamActivity { get; private set; }

    public override async ValueTask TransformRequestAsync(HttpContext httpContext, HttpRequestMessage proxyRequest, string destinationPrefix, CancellationToken cancellationToken)
    {
        await base.TransformRequestAsync(httpContext, proxyRequest, destinationPrefix, cancellationToken).ConfigureAwait(false);
        var headers = proxyRequest.Headers;
        // Clients cannot pick their version: a client-sent subset header is replaced on a rollout's route and removed
        // elsewhere, as on the ext_proc path.
        if (Subset is not null || _routing.RemoveSubsetHeaderOnUnmatched)
        {
            headers.Remove(_routing.SubsetHeaderName);
        }

        if (Subset is not null)
        {
            headers.TryAddWithoutValidation(_routing.SubsetHeaderName, Subset);
            // Usage is read from the response body: a compressed one would be counted, not read.
            headers.Remove("accept-encoding");
            headers.TryAddWithoutValidation("accept-encoding", "identity");
        }

        if (Upstream?.Definition is { CredentialHeader: { } credentialHeader, CredentialValue: { } credential })
        {
            foreach (var name in CredentialHeaders)
            {
                headers.Remove(name);
            }

            headers.TryAddWithoutValidation(credentialHeader, credential);
        }

        if (proxyRequest.Content is { } content)
        {
            // The body is sent from the proxy's buffer, whole: its exact length, whatever framing the client used.
            content.Headers.ContentLength = BodyLength;
        }
    }

    public override async ValueTask<bool> TransformResponseAsync(HttpContext httpContext, HttpResponseMessage? proxyResponse, CancellationToken cancellationToken)
    {
        var copyBody = await base.TransformResponseAsync(httpContext, proxyResponse, cancellationToken).ConfigureAwait(false);
        LastUpstreamActivity = System.Diagnostics.Stopwatch.GetTimestamp();
        if (proxyResponse is not null)
        {
            OnResponseHeaders(httpContext.Response, (int)proxyResponse.StatusCode, httpContext.Request.Method);
        }

        return copyBody;
    }

    /// <summary>A body chunk on its way to the client.</summary>
    public void OnResponseBody(ReadOnlySpan<byte> chunk, bool endOfStream)
    {
        LastUpstreamActivity = System.Diagnostics.Stopwatch.GetTimestamp();
        if (!State.WantsResponseBody || State.Route is null)
        {
            return;
        }

        foreach (var observer in _observers)
        {
            observer.OnResponseBody(ref State, chunk, endOfStream);
        }
    }

    /// <summary>
    /// The proxy's own answer stands for the upstream's (502, 504): recorded like a response, so the arm's error rate
    /// and the tripwire see an upstream that is down. Nothing when the upstream's headers were already recorded.
    /// </summary>
    public void OnProxyAnswer(int status)
    {
        if (State.SawResponseHeaders || State.Route is null)
        {
            return;
        }

        State.SawResponseHeaders = true;
        State.Status = status;
        State.ResponseFormat = ResponseBodyFormat.Json;
        State.ResponseHeadersEndStream = false;
        foreach (var observer in _observers)
        {
            observer.OnResponseHeaders(ref State);
        }
    }

    /// <summary>The exchange is over; <paramref name="cancelled"/> when its stream was cut (by the client or the upstream).</summary>
    public void OnExchangeEnd(bool cancelled)
    {
        if (State.Route is null)
        {
            return;
        }

        foreach (var observer in _observers)
        {
            observer.OnExchangeEnd(ref State, cancelled);
        }
    }

    private void OnResponseHeaders(HttpResponse response, int status, string method)
    {
        if (State.Route is null)
        {
            return;
        }

        State.SawResponseHeaders = true;
        State.Status = status is >= 100 and <= 999 ? status : 0;
        State.ResponseFormat = Classify(response.ContentType);
        var encoding = response.Headers.ContentEncoding.ToString();
        State.ResponseEncoded = encoding.Length > 0 && !encoding.Trim().Equals("identity", StringComparison.OrdinalIgnoreCase);
        State.ResponseHeadersEndStream = response.ContentLength == 0 || status is 204 or 304 || HttpMethods.IsHead(method);
        foreach (var observer in _observers)
        {
            observer.OnResponseHeaders(ref State);
        }

        if (_routing.ServedSubsetHeader is { } served && Subset is not null)
        {
            response.Headers[served] = Subset;
        }
    }

    private static ResponseBodyFormat? Classify(string? contentType)
    {
        if (string.IsNullOrEmpty(contentType) || contentType.Length > 256)
        {
            return null;
        }

        Span<byte> bytes = stackalloc byte[Encoding.UTF8.GetMaxByteCount(contentType.Length)];
        var written = Encoding.UTF8.GetBytes(contentType, bytes);
        return ContentTypes.Classify(bytes[..written]);
    }
}
