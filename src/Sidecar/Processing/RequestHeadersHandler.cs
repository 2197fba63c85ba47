using Canary.Sidecar.Model;
using Canary.Sidecar.Quality;
using Canary.Sidecar.Routing;
using Canary.Sidecar.Wire;

namespace Canary.Sidecar.Processing;

/// <summary>
/// The decision path: reads an encoded <c>HttpHeaders</c> into <see cref="RequestFacts"/> (the route-key header, the
/// user key from Envoy's dynamic metadata when configured, else the first configured header present and non-empty,
/// the tenant and any opt-in headers), lets <see cref="SubsetSelector.Assign"/> pick the subset and the telemetry arm
/// and returns the precomputed answer, which carries the rollout's <c>canary</c> metadata. One pass over the headers,
/// no allocation, no lock.
/// </summary>
internal sealed class RequestHeadersHandler
{
    private readonly SubsetSelector _selector;
    private readonly ProcessingCounters _counters;
    private readonly int _maxRewriteBodyBytes;
    private readonly QualitySampler? _sampler;

    public RequestHeadersHandler(SubsetSelector selector, ProcessingCounters counters, RequestBodyHandler rewrites, QualitySampler? sampler = null)
    {
        _selector = selector;
        _counters = counters;
        _maxRewriteBodyBytes = rewrites.Limits.MaxBodyBytes;
        _sampler = sampler;
    }

    /// <summary>
    /// False when the message is not valid protobuf; otherwise the answer to send. <paramref name="metadataContext"/>
    /// is the request's <c>metadata_context</c> (empty when Envoy forwards none).
    /// </summary>
    public bool TryHandle(ReadOnlySpan<byte> httpHeaders, RolloutTableModel snapshot, ref ExchangeState state, out ProcessingAnswer answer, ReadOnlySpan<byte> metadataContext = default)
    {
        var facts = new RequestFacts();
        var enumerator = new HeaderEnumerator(httpHeaders);
        while (enumerator.MoveNext(out var key, out var value))
        {
            facts.Read(snapshot, key, value);
        }

        if (enumerator.IsMalformed)
        {
            answer = ProcessingAnswers.ContinueRequestHeaders;
            return false;
        }

        state.SawRequestHeaders = true;
        var headers = snapshot.Headers;
        var route = facts.HasRouteKey ? snapshot.Find(facts.RouteKey) : null;
        if (route is null)
        {
            _counters.UnmatchedRequest();
            if (facts.SawSubsetHeader && headers.RemoveSubsetHeaderOnUnmatched)
            {
                _counters.SubsetHeaderRemoved();
                answer = headers.RemoveSubsetHeaderAnswer;
            }
            else
            {
                answer = ProcessingAnswers.ContinueRequestHeaders;
            }

            return true;
        }

        // Dynamic metadata is written by Envoy's filters (an authentication filter, say), never by the client, so it
        // wins over any header; the header is read at all only where AllowHeaderUserKey lets it stand in.
        if (headers.UserKeyMetadata is { } userKeyPath
            && MetadataContextReader.TryReadString(metadataContext, userKeyPath.Namespace, userKeyPath.Keys, out var metadataUserKey))
        {
            facts.UserKey = metadataUserKey;
        }

        if (headers.TenantMetadata is { } tenantPath
            && MetadataContextReader.TryReadString(metadataContext, tenantPath.Namespace, tenantPath.Keys, out var metadataTenant))
        {
            facts.Tenant = metadataTenant;
        }

        var canary = _selector.Assign(route, facts, ref state);
        // A sample needs the request body, so a request without one (end_of_stream on its headers) is never drawn.
        var sampled = route.QualitySampleBasisPoints > 0 && !enumerator.EndOfStream && _sampler is not null
            && _sampler.TryStart(route, facts.IsFeedbackPath, ref state);
        if (route.IsModelRewrite)
        {
            answer = StartRewrite(route, canary, state.Reason, facts.IsFeedbackPath, enumerator.EndOfStream, facts.ContentLength, ref state);
            if (sampled && !state.PendingRewrite)
            {
                // The rewrite does not ask for this body (over its limit): the sample would have no request.
                _sampler!.AbandonForLackOfBody(ref state);
            }
        }
        else
        {
            // The answer always sets the header, so a client-sent subset header is overwritten whatever it said.
            answer = sampled ? route.SampledAnswers![canary ? 1 : 0] : route.HeadersAnswer(canary, state.Reason, facts.IsFeedbackPath);
        }

        return true;
    }

    /// <summary>
    /// Model-rewrite mode: ask for the body when there is one that fits the rewrite limit; the request is labelled
    /// stable, and recorded as unrewritten, until the body answer rewrites it (or finds it asks for the stable model).
    /// </summary>
    private ProcessingAnswer StartRewrite(RolloutModel route, bool canary, AssignmentReason reason, bool feedback, bool endOfStream, long contentLength, ref ExchangeState state)
    {
        if (endOfStream)
        {
            return route.RewriteHeadersAnswer(reason, bufferBody: false, feedback);
        }

        if (contentLength > _maxRewriteBodyBytes)
        {
            route.Counters.CountRewrite(ModelRewriteResult.OverLimit, canary);
            return route.RewriteHeadersAnswer(reason, bufferBody: false, feedback);
        }

        state.PendingRewrite = true;
        state.HadContentLength = contentLength >= 0;
        return route.RewriteHeadersAnswer(reason, bufferBody: true, feedback);
    }
}
