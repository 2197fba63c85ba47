using Canary.Contracts.Metrics;
using Canary.Sidecar.Diagnostics;

namespace Canary.Sidecar.Proxy;

/// <summary>The proxy's series in /metrics: requests by result, request bodies, upstream failures, client cancellations.</summary>
internal sealed class ProxyMetricsSource : IMetricsSource
{
    private const string RequestsHelp = "Proxy requests, by what the proxy did with them.";
    private const string BodiesHelp = "Proxy request bodies, by kind (not_json: forwarded as they came, never rewritten).";
    private const string FailuresHelp = "Upstream failures seen by the proxy, by kind.";
    private const string CancelledHelp = "Proxy requests whose client went away (the upstream request is cancelled), by when.";

    private readonly ProxyCounters _counters;

    public ProxyMetricsSource(ProxyCounters counters)
    {
        _counters = counters;
    }

    public void Write(PrometheusTextWriter writer)
    {
        writer.Metric("canary_proxy_requests_received_total", "counter", "Requests the proxy received.", _counters[ProxyCounter.Requests]);
        writer.Metric("canary_proxy_requests_total", "counter", RequestsHelp, _counters[ProxyCounter.ForwardedRollout], ("result", "forwarded"));
        writer.Metric("canary_proxy_requests_total", "counter", RequestsHelp, _counters[ProxyCounter.ForwardedUnmatched], ("result", "forwarded_unmatched"));
        writer.Metric("canary_proxy_requests_total", "counter", RequestsHelp, _counters[ProxyCounter.RefusedUnmatched], ("result", "refused_unmatched"));
        writer.Metric("canary_proxy_requests_total", "counter", RequestsHelp, _counters[ProxyCounter.RefusedTooLarge], ("result", "refused_too_large"));
        writer.Metric("canary_proxy_requests_total", "counter", RequestsHelp, _counters[ProxyCounter.RefusedNoUpstream], ("result", "no_upstream"));
        writer.Metric("canary_proxy_request_bodies_total", "counter", BodiesHelp, _counters[ProxyCounter.BodyJson], ("kind", "json"));
        writer.Metric("canary_proxy_request_bodies_total", "counter", BodiesHelp, _counters[ProxyCounter.BodyNotJson], ("kind", "not_json"));
        writer.Metric("canary_proxy_request_bodies_total", "counter", BodiesHelp, _counters[ProxyCounter.BodyEmpty], ("kind", "empty"));
        writer.Metric("canary_proxy_upstream_failures_total", "counter", FailuresHelp, _counters[ProxyCounter.UpstreamUnavailable], ("kind", "unavailable"));
        writer.Metric("canary_proxy_upstream_failures_total", "counter", FailuresHelp, _counters[ProxyCounter.UpstreamTimeout], ("kind", "timeout"));
        writer.Metric("canary_proxy_upstream_failures_total", "counter", FailuresHelp, _counters[ProxyCounter.UpstreamBrokeOff], ("kind", "broke_off_mid_stream"));
        writer.Metric("canary_proxy_upstream_failures_total", "counter", FailuresHelp, _counters[ProxyCounter.UpstreamStalled], ("kind", "stalled_mid_stream"));
        writer.Metric("canary_proxy_client_cancelled_total", "counter", CancelledHelp, _counters[ProxyCounter.ClientCancelledBeforeResponse], ("when", "before_response"));
        writer.Metric("canary_proxy_client_cancelled_total", "counter", CancelledHelp, _counters[ProxyCounter.ClientCancelledMidStream], ("when", "mid_stream"));
        writer.Metric("canary_proxy_responses_completed_total", "counter", "Responses streamed through to their end.", _counters[ProxyCounter.Completed]);
    }
}
