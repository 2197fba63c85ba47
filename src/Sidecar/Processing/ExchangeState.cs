using Canary.Sidecar.Routing;

namespace Canary.Sidecar.Processing;

/// <summary>
/// What one ext_proc stream (one HTTP exchange) remembers between its messages: the rollout and subset chosen on
/// request_headers, so the response side is attributed to the right arm. Lives in the stream's loop; never shared.
/// </summary>
internal struct ExchangeState
{
    /// <summary>The rollout the request matched, or null (no rollout, or request_headers not seen).</summary>
    public RolloutRoute? Route;

    public bool IsCanary;

    public bool SawRequestHeaders;

    public bool SawResponseHeaders;

    /// <summary><see cref="TimeProvider.GetTimestamp"/> when request_headers arrived.</summary>
    public long RequestTimestamp;

    /// <summary>Model-rewrite mode: the body answer must rewrite (or check) the model; set by request_headers.</summary>
    public bool PendingRewrite;

    /// <summary>Model-rewrite mode: the assignment said canary (the arm becomes canary only once the body is rewritten).</summary>
    public bool RewriteToCanary;

    /// <summary>The request carried content-length, so a rewritten body must carry its new length.</summary>
    public bool HadContentLength;

    /// <summary>HTTP status from response_headers' <c>:status</c>; 0 until then, or when it was missing or invalid.</summary>
    public int Status;
}
