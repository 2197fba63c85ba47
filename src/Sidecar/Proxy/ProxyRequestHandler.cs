using System.Diagnostics;
using Canary.Sidecar.Model;
using Canary.Sidecar.ModelRewrite;
using Canary.Sidecar.Quality;
using Canary.Sidecar.Routing;
using Yarp.ReverseProxy.Forwarder;

namespace Canary.Sidecar.Proxy;

/// <summary>
/// Serves one request on the proxy listener: reads the body whole (bounded), finds the rollout and the user as the
/// ext_proc path does (<see cref="RequestFacts"/>, <see cref="SubsetSelector.Assign"/>, <see cref="ModelRewriteOutcome"/>),
/// then forwards with YARP's <see cref="IHttpForwarder"/> to the subset's upstream and streams the answer back through
/// the exchange observers (telemetry, tripwire). Failures become API-shaped errors and counters.
/// </summary>
internal sealed class ProxyRequestHandler
{
    private readonly RolloutTableHolder _tables;
    private readonly SubsetSelector _selector;
    private readonly IHttpForwarder _forwarder;
    private readonly ProxySettings _settings;
    private readonly ProxyUpstreams _upstreams;
    private readonly ProxyCounters _counters;
    private readonly RoutingSettings _routing;
    private readonly TimeProvider _timeProvider;
    private readonly IExchangeObserver[] _observers;
    private readonly ModelRewriteLimits _limits;
    private readonly QualitySampler? _sampler;

    public ProxyRequestHandler(
        RolloutTableHolder tables,
        SubsetSelector selector,
        IHttpForwarder forwarder,
        ProxySettings settings,
        ProxyUpstreams upstreams,
        ProxyCounters counters,
        RoutingSettings routing,
        TimeProvider timeProvider,
        IEnumerable<IExchangeObserver> observers,
        QualitySampler? sampler = null)
    {
        _sampler = sampler;
        _tables = tables;
        _selector = selector;
        _forwarder = forwarder;
        _settings = settings;
        _upstreams = upstreams;
        _counters = counters;
        _routing = routing;
        _timeProvider = timeProvider;
        _observers = [.. observers];
        // The proxy's own body limit bounds what a rewrite reads: a body the proxy accepted is never too large to rewrite.
        _limits = new ModelRewriteLimits(settings.Options.MaxRequestBodyBytes, ModelRewriteLimits.DefaultMaxDepth);
    }

    public async Task HandleAsync(HttpContext context)
    {
        _counters.Count(ProxyCounter.Requests);
        var aborted = context.RequestAborted;
        BufferedBody? body;
        try
        {
            body = await BufferedBody.ReadAsync(context.Request.Body, context.Request.ContentLength, _settings.Options.MaxRequestBodyBytes, aborted).ConfigureAwait(false);
        }
        catch (Exception e) when (e is OperationCanceledException or IOException or BadHttpRequestException)
        {
            _counters.Count(ProxyCounter.ClientCancelledBeforeResponse);
            return;
        }

        if (body is null)
        {
            _counters.Count(ProxyCounter.RefusedTooLarge);
            await ProxyErrorResponse.WriteAsync(context, ProxyErrorKind.BodyTooLarge, $"request body is larger than the proxy's limit of {_settings.Options.MaxRequestBodyBytes} bytes").ConfigureAwait(false);
            return;
        }

        using (body)
        {
            var exchange = new ProxyExchange(_observers, _routing);
            var decision = Decide(context, body, exchange, out var refusal);
            if (decision != ProxyErrorKind.None)
            {
                await ProxyErrorResponse.WriteAsync(context, decision, refusal!).ConfigureAwait(false);
                return;
            }

            await ForwardAsync(context, body, exchange).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// The routing decision, synchronous because the facts are spans into the body and the header buffer. Sets the
    /// exchange's state, subset and upstream; on a refusal returns its kind and says why in <paramref name="refusal"/>.
    /// </summary>
    private ProxyErrorKind Decide(HttpContext context, BufferedBody body, ProxyExchange exchange, out string? refusal)
    {
        refusal = null;
        var snapshot = _tables.Current;
        var options = _settings.Options;
        var fields = RequestBodyFields.Read(body.Span, _settings.UserKeyBodyPaths);
        _counters.Count(body.Length == 0 ? ProxyCounter.BodyEmpty : fields.IsJson ? ProxyCounter.BodyJson : ProxyCounter.BodyNotJson);

        using var headerReader = new KestrelHeaderReader();
        var facts = new RequestFacts();
        headerReader.Read(context, snapshot, ref facts);
        if (options.RouteKey == ProxyRouteKeySource.Model)
        {
            facts.RouteKey = fields.Model;
            facts.HasRouteKey = !fields.Model.IsEmpty;
        }

        facts.UserKey = options.UserKeySource switch
        {
            ProxyUserKeySource.HeaderThenBody => facts.UserKey.IsEmpty ? fields.UserKey : facts.UserKey,
            ProxyUserKeySource.BodyThenHeader => fields.UserKey.IsEmpty ? facts.UserKey : fields.UserKey,
            ProxyUserKeySource.Header => facts.UserKey,
            _ => fields.UserKey,
        };

        exchange.BodyLength = body.Length;
        var route = facts.HasRouteKey ? snapshot.Find(facts.RouteKey) : null;
        if (route is null)
        {
            if (options.UnmatchedRequests == UnmatchedRequestAction.Refuse || _upstreams.Default is null)
            {
                _counters.Count(ProxyCounter.RefusedUnmatched);
                refusal = facts.HasRouteKey
                    ? $"no rollout covers \"{ProxyErrorResponse.Printable(facts.RouteKey)}\""
                    : options.RouteKey == ProxyRouteKeySource.Model ? "the request names no model" : "the request has no route key";
                return ProxyErrorKind.NoRollout;
            }

            _counters.Count(ProxyCounter.ForwardedUnmatched);
            exchange.Upstream = _upstreams.Default;
            return ProxyErrorKind.None;
        }

        exchange.State.SawRequestHeaders = true;
        exchange.State.RequestTimestamp = _timeProvider.GetTimestamp();
        _selector.Assign(route, facts, ref exchange.State);
        if (body.Length > 0 && _sampler is not null && route.QualitySampleBasisPoints > 0
            && _sampler.TryStart(route, facts.IsFeedbackPath, ref exchange.State))
        {
            // Kept before any rewrite: the body as the client sent it names the stable model on both arms, so the
            // judge cannot tell the arms apart by it.
            exchange.State.Sample!.SetRequestBody(body.Span, complete: true);
        }

        if (route.IsModelRewrite && body.Length > 0)
        {
            var result = ModelRewriteOutcome.Settle(body.Span, _limits, ref exchange.State, out var rewritten);
            if (result == ModelRewriteResult.Rewritten && exchange.State.IsCanary)
            {
                body.Replace(rewritten);
                exchange.BodyLength = body.Length;
            }
        }

        var definition = route.Definition;
        exchange.Subset = exchange.State.IsCanary ? definition.CanarySubset : definition.StableSubset;
        exchange.Upstream = _upstreams.ForSubset(exchange.Subset);
        if (exchange.Upstream is null)
        {
            _counters.Count(ProxyCounter.RefusedNoUpstream);
            refusal = $"no upstream serves subset \"{exchange.Subset}\" and no default upstream is configured";
            exchange.OnProxyAnswer(ProxyErrorResponse.StatusOf(ProxyErrorKind.NoUpstream));
            exchange.OnExchangeEnd(cancelled: false);
            return ProxyErrorKind.NoUpstream;
        }

        _counters.Count(ProxyCounter.ForwardedRollout);
        return ProxyErrorKind.None;
    }

    private async Task ForwardAsync(HttpContext context, BufferedBody body, ProxyExchange exchange)
    {
        var upstream = exchange.Upstream!;
        var clientBody = context.Response.Body;
        context.Request.Body = new BufferedBodyStream(body.Memory);
        context.Response.Body = new ObservedResponseBody(clientBody, exchange);
        ForwarderError error;
        try
        {
            error = await _forwarder.SendAsync(context, upstream.Prefix, upstream.Invoker, upstream.RequestConfig, exchange).ConfigureAwait(false);
        }
        finally
        {
            context.Response.Body = clientBody;
        }

        switch (error)
        {
            case ForwarderError.None:
                _counters.Count(ProxyCounter.Completed);
                exchange.OnResponseBody([], endOfStream: true);
                exchange.OnExchangeEnd(cancelled: false);
                return;
            case ForwarderError.RequestCanceled or ForwarderError.RequestBodyCanceled or ForwarderError.RequestBodyClient:
                _counters.Count(ProxyCounter.ClientCancelledBeforeResponse);
                exchange.OnExchangeEnd(cancelled: true);
                return;
            case ForwarderError.RequestTimedOut:
                _counters.Count(ProxyCounter.UpstreamTimeout);
                await AnswerAsync(context, exchange, ProxyErrorKind.UpstreamTimeout, $"upstream \"{upstream.Name}\" sent no response within {upstream.Definition.Timeout}").ConfigureAwait(false);
                return;
            case ForwarderError.Request or ForwarderError.RequestBodyDestination or ForwarderError.NoAvailableDestinations:
                // Before the response started the forwarder sets a 502 and aborts nothing: RequestAborted is the
                // client's own.
                if (context.RequestAborted.IsCancellationRequested)
                {
                    _counters.Count(ProxyCounter.ClientCancelledBeforeResponse);
                    exchange.OnExchangeEnd(cancelled: true);
                    return;
                }

                _counters.Count(ProxyCounter.UpstreamUnavailable);
                await AnswerAsync(context, exchange, ProxyErrorKind.UpstreamUnavailable, $"upstream \"{upstream.Name}\" could not be reached").ConfigureAwait(false);
                return;
            // Once the response has started, the forwarder aborts the client's connection itself before it returns, so
            // RequestAborted is set whoever failed, sooner or later: it cannot say who did. The forwarder's error says
            // which side's I/O failed, and its exception whether the copy was cancelled: by the client leaving, or by the
            // upstream's activity timeout (no byte for Timeout), which may surface as a failed read. The forwarder
            // restarts that timeout on each chunk it reads, just before the chunk reaches the exchange, so a cancelled
            // copy after a silence of half the timeout or more is the stall; a read that failed otherwise is a break-off.
            case ForwarderError.ResponseBodyClient:
                _counters.Count(ProxyCounter.ClientCancelledMidStream);
                CutStream(context, exchange);
                return;
            default:
                var cancelled = error == ForwarderError.ResponseBodyCanceled || IsCancellation(context.Features.Get<IForwarderErrorFeature>()?.Exception);
                _counters.Count(!cancelled ? ProxyCounter.UpstreamBrokeOff
                    : Stopwatch.GetElapsedTime(exchange.LastUpstreamActivity) >= upstream.Definition.Timeout / 2 ? ProxyCounter.UpstreamStalled
                    : ProxyCounter.ClientCancelledMidStream);
                CutStream(context, exchange);
                return;
        }
    }

    private static bool IsCancellation(Exception? exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            if (e is OperationCanceledException)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// The response started and cannot be finished: the client's stream is reset (HTTP/2) or its connection closed
    /// (HTTP/1.1) rather than ended cleanly, so a client never takes a truncated answer for a whole one.
    /// </summary>
    private static void CutStream(HttpContext context, ProxyExchange exchange)
    {
        exchange.OnExchangeEnd(cancelled: true);
        context.Abort();
    }

    private static async Task AnswerAsync(HttpContext context, ProxyExchange exchange, ProxyErrorKind kind, string message)
    {
        exchange.OnProxyAnswer(ProxyErrorResponse.StatusOf(kind));
        exchange.OnExchangeEnd(cancelled: false);
        await ProxyErrorResponse.WriteAsync(context, kind, message).ConfigureAwait(false);
    }
}
