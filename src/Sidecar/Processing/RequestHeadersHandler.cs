using System.Buffers.Text;
using Canary.Sidecar.Model;
using Canary.Sidecar.Routing;
using Canary.Sidecar.Wire;

namespace Canary.Sidecar.Processing;

/// <summary>
/// The decision path: reads an encoded <c>HttpHeaders</c>, finds the rollout by the route-key header, the user key
/// (from Envoy's dynamic metadata when configured, else the first configured header present and non-empty), the
/// tenant and any opt-in headers, picks the subset and the telemetry arm and returns the precomputed answer, which
/// carries the rollout's <c>canary</c> metadata. One pass over the headers, no allocation, no lock.
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

    /// <summary>
    /// False when the message is not valid protobuf; otherwise the answer to send. <paramref name="metadataContext"/>
    /// is the request's <c>metadata_context</c> (empty when Envoy forwards none).
    /// </summary>
    public bool TryHandle(ReadOnlySpan<byte> httpHeaders, RolloutTableModel snapshot, ref ExchangeState state, out ProcessingAnswer answer, ReadOnlySpan<byte> metadataContext = default)
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

        // Dynamic metadata is written by Envoy's filters (an authentication filter, say), never by the client, so it
        // wins over any header; the header is read at all only where AllowHeaderUserKey lets it stand in.
        if (headers.UserKeyMetadata is { } userKeyPath
            && MetadataContextReader.TryReadString(metadataContext, userKeyPath.Namespace, userKeyPath.Keys, out var metadataUserKey))
        {
            userKey = metadataUserKey;
        }

        if (headers.TenantMetadata is { } tenantPath
            && MetadataContextReader.TryReadString(metadataContext, tenantPath.Namespace, tenantPath.Keys, out var metadataTenant))
        {
            tenant = metadataTenant;
        }

        var canary = _selector.IsCanary(route, userKey, tenant, optInMask, out var reason, out var bucket);
        route.Counters.Count(canary, reason);
        if (isFeedbackPath && feedback != 0)
        {
            // Sticky assignment makes the user's current arm the arm that served them: no request ids needed.
            route.Arms.Get(ArmKinds.For(canary, reason, feedback: false, unrewritten: false))?.CountFeedback(feedback > 0, bucket);
        }

        state.Route = route;
        state.Reason = reason;
        state.Bucket = bucket;
        state.IsFeedback = isFeedbackPath;
        if (route.IsModelRewrite)
        {
            answer = StartRewrite(route, canary, reason, isFeedbackPath, enumerator.EndOfStream, contentLength, ref state);
            return true;
        }

        state.IsCanary = canary;
        state.Arm = ArmKinds.For(canary, reason, isFeedbackPath, unrewritten: false);
        // The answer always sets the header, so a client-sent subset header is overwritten whatever it said.
        answer = route.HeadersAnswer(canary, reason, isFeedbackPath);
        return true;
    }

    /// <summary>
    /// Model-rewrite mode: ask for the body when there is one that fits the rewrite limit; the request is labelled
    /// stable, and recorded as unrewritten, until the body answer rewrites it (or finds it asks for the stable model).
    /// </summary>
    private ProcessingAnswer StartRewrite(RolloutModel route, bool canary, AssignmentReason reason, bool feedback, bool endOfStream, long contentLength, ref ExchangeState state)
    {
        state.IsCanary = false;
        state.Arm = ArmKinds.For(canary: false, reason, feedback, unrewritten: true);
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
        state.RewriteToCanary = canary;
        state.HadContentLength = contentLength >= 0;
        return route.RewriteHeadersAnswer(reason, bufferBody: true, feedback);
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
