using System.Buffers.Text;
using Canary.Sidecar.Model;
using Canary.Sidecar.Routing;
using Canary.Sidecar.Wire;

namespace Canary.Sidecar.Processing;

/// <summary>
/// The decision path: reads an encoded <c>HttpHeaders</c>, finds the rollout by the route-key header, the user key
/// (first configured header present and non-empty), the tenant and any opt-in headers, picks the subset and returns
/// the precomputed answer. One pass over the headers, no allocation, no lock.
/// </summary>
internal sealed class RequestHeadersHandler
{
    private readonly SubsetSelector _selector;
    private readonly ProcessingCounters _counters;
    private readonly int _maxRewriteBodyBytes;

    public RequestHeadersHandler(SubsetSelector selector, ProcessingCounters counters, RequestBodyHandler rewrites)
    {
        _selector = selector;
        _counters = counters;
        _maxRewriteBodyBytes = rewrites.Limits.MaxBodyBytes;
    }

    /// <summary>False when the message is not valid protobuf; otherwise the answer to send.</summary>
    public bool TryHandle(ReadOnlySpan<byte> httpHeaders, RolloutTableModel snapshot, ref ExchangeState state, out ProcessingAnswer answer)
    {
        var headers = snapshot.Headers;
        var userKeyHeaders = headers.UserKeyHeaders;
        var optInHeaders = snapshot.OptInHeaders;
        ReadOnlySpan<byte> routeKey = default;
        var hasRouteKey = false;
        ReadOnlySpan<byte> userKey = default;
        var userKeyRank = int.MaxValue;
        ReadOnlySpan<byte> tenant = default;
        var sawSubsetHeader = false;
        ulong optInMask = 0;
        long contentLength = -1;
        var feedback = 0;
        var isFeedbackPath = false;

        var enumerator = new HeaderEnumerator(httpHeaders);
        while (enumerator.MoveNext(out var key, out var value))
        {
            if (!snapshot.MayBeRead(key.Length))
            {
                continue;
            }

            if (!hasRouteKey && key.SequenceEqual(headers.RouteKeyHeader))
            {
                // The first occurrence decides; Envoy sends repeated headers as separate entries.
                routeKey = value;
                hasRouteKey = true;
                continue;
            }

            if (key.SequenceEqual(headers.SubsetHeader))
            {
                sawSubsetHeader = true;
                continue;
            }

            if (!value.IsEmpty)
            {
                for (var i = 0; i < userKeyHeaders.Length && i < userKeyRank; i++)
                {
                    if (key.SequenceEqual(userKeyHeaders[i]))
                    {
                        userKey = value;
                        userKeyRank = i;
                        break;
                    }
                }
            }

            if (headers.FeedbackPath.Length > 0)
            {
                if (key.SequenceEqual(":path"u8))
                {
                    // The query string does not change which endpoint it is.
                    var query = value.IndexOf((byte)'?');
                    isFeedbackPath = (query >= 0 ? value[..query] : value).SequenceEqual(headers.FeedbackPath);
                    continue;
                }

                if (key.SequenceEqual(headers.FeedbackRatingHeader))
                {
                    feedback = ParseRating(value);
                    continue;
                }
            }

            if (key.SequenceEqual("content-length"u8))
            {
                // An unparseable length is treated as "too large" for a rewrite; Envoy will reject it anyway.
                contentLength = Utf8Parser.TryParse(value, out long length, out var consumed) && consumed == value.Length ? length : long.MaxValue;
                continue;
            }

            if (key.SequenceEqual(headers.TenantHeader))
            {
                tenant = value;
            }

            for (var i = 0; i < optInHeaders.Length; i++)
            {
                if (key.SequenceEqual(optInHeaders[i]) && IsAffirmative(value))
                {
                    optInMask |= 1UL << i;
                }
            }
        }

        if (enumerator.IsMalformed)
        {
            answer = ProcessingAnswers.ContinueRequestHeaders;
            return false;
        }

        state.SawRequestHeaders = true;
        var route = hasRouteKey ? snapshot.Find(routeKey) : null;
        if (route is null)
        {
            _counters.UnmatchedRequest();
            if (sawSubsetHeader && headers.RemoveSubsetHeaderOnUnmatched)
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

        var canary = _selector.IsCanary(route, userKey, tenant, optInMask, out var reason);
        route.Counters.Count(canary, reason);
        if (isFeedbackPath && feedback != 0)
        {
            // Sticky assignment makes the user's current arm the arm that served them: no request ids needed.
            route.ArmFor(canary, reason)?.CountFeedback(feedback > 0);
        }

        state.Route = route;
        state.Reason = reason;
        if (route.IsModelRewrite)
        {
            answer = StartRewrite(route, canary, enumerator.EndOfStream, contentLength, ref state);
            return true;
        }

        state.IsCanary = canary;
        // The answer always sets the header, so a client-sent subset header is overwritten whatever it said.
        answer = canary ? route.CanaryAnswer : route.StableAnswer;
        return true;
    }

    /// <summary>
    /// Model-rewrite mode: ask for the body when there is one that fits the rewrite limit; the request is labelled
    /// stable until the body answer rewrites it.
    /// </summary>
    private ProcessingAnswer StartRewrite(RolloutModel route, bool canary, bool endOfStream, long contentLength, ref ExchangeState state)
    {
        state.IsCanary = false;
        if (endOfStream)
        {
            return route.StableAnswer;
        }

        if (contentLength > _maxRewriteBodyBytes)
        {
            route.Counters.CountRewrite(ModelRewriteResult.OverLimit, canary);
            return route.StableAnswer;
        }

        state.PendingRewrite = true;
        state.RewriteToCanary = canary;
        state.HadContentLength = contentLength >= 0;
        return route.BufferBodyAnswer!;
    }

    /// <summary>+1 for a positive rating, -1 for a negative one, 0 when the value is not a rating.</summary>
    private static int ParseRating(ReadOnlySpan<byte> value)
    {
        if (value.SequenceEqual("1"u8) || value.SequenceEqual("+1"u8) || System.Text.Ascii.EqualsIgnoreCase(value, "up"u8) || System.Text.Ascii.EqualsIgnoreCase(value, "positive"u8))
        {
            return 1;
        }

        if (value.SequenceEqual("-1"u8) || value.SequenceEqual("0"u8) || System.Text.Ascii.EqualsIgnoreCase(value, "down"u8) || System.Text.Ascii.EqualsIgnoreCase(value, "negative"u8))
        {
            return -1;
        }

        return 0;
    }

    /// <summary>An opt-in header counts unless it is empty, "0" or "false".</summary>
    private static bool IsAffirmative(ReadOnlySpan<byte> value) =>
        !value.IsEmpty && !value.SequenceEqual("0"u8) && !value.SequenceEqual("false"u8);
}
