using Canary.Contracts.Metrics;
using Canary.Sidecar.Model;
using Canary.Sidecar.Processing;

namespace Canary.Sidecar.Diagnostics;

/// <summary>Stream, bad-input and assignment counters, and the applied table's generation and age.</summary>
internal sealed class RoutingMetricsSource : IMetricsSource
{
    private readonly ProcessingCounters _counters;
    private readonly RolloutTableHolder _tables;
    private readonly TimeProvider _timeProvider;

    public RoutingMetricsSource(ProcessingCounters counters, RolloutTableHolder tables, TimeProvider timeProvider)
    {
        _counters = counters;
        _tables = tables;
        _timeProvider = timeProvider;
    }

    public void Write(PrometheusTextWriter writer)
    {
        writer.Metric("canary_extproc_streams_started_total", "counter", "ext_proc streams opened by Envoy.", _counters.StreamsStarted);
        writer.Metric("canary_extproc_streams_ended_total", "counter", "ext_proc streams ended, by how.", _counters.StreamsCompleted, ("how", "completed"));
        writer.Metric("canary_extproc_streams_ended_total", "counter", "ext_proc streams ended, by how.", _counters.StreamsCancelled, ("how", "cancelled"));
        writer.Metric("canary_extproc_streams_open", "gauge", "ext_proc streams open now.", _counters.StreamsOpen);
        writer.Metric("canary_extproc_messages_total", "counter", "ext_proc messages received.", _counters.Messages);
        writer.Metric("canary_extproc_bad_input_total", "counter", "Messages the sidecar could not use, by kind.", _counters.MalformedMessages, ("kind", "malformed_protobuf"));
        writer.Metric("canary_extproc_bad_input_total", "counter", "Messages the sidecar could not use, by kind.", _counters.UnknownMessages, ("kind", "unknown_request_case"));
        writer.Metric("canary_extproc_bad_input_total", "counter", "Messages the sidecar could not use, by kind.", _counters.ResponsesWithoutRequest, ("kind", "response_without_request"));
        writer.Metric("canary_requests_unmatched_total", "counter", "request_headers no rollout covers.", _counters.UnmatchedRequests);
        writer.Metric("canary_subset_header_removed_total", "counter", "Client-sent subset headers removed from unmatched requests.", _counters.SubsetHeadersRemoved);

        var snapshot = _tables.Current;
        writer.Metric("canary_rollout_table_generation", "gauge", "Generation of the applied rollout table.", snapshot.Generation);
        writer.Metric("canary_rollout_table_age_seconds", "gauge", "Seconds since the applied rollout table was applied.", (_timeProvider.GetUtcNow() - snapshot.AppliedAt).TotalSeconds);
        foreach (var route in snapshot.Routes)
        {
            var rollout = route.Definition.RouteKey;
            writer.Metric("canary_rollout_weight_basis_points", "gauge", "Canary weight requests see, in basis points.", route.WeightBasisPoints, ("rollout", rollout));
        }

        foreach (var route in snapshot.Routes)
        {
            var rollout = route.Definition.RouteKey;
            writer.Metric("canary_assignments_total", "counter", "Routing decisions by subset.", route.Counters.Stable, ("rollout", rollout), ("subset", "stable"));
            writer.Metric("canary_assignments_total", "counter", "Routing decisions by subset.", route.Counters.Canary, ("rollout", rollout), ("subset", "canary"));
        }

        foreach (var route in snapshot.Routes)
        {
            var rollout = route.Definition.RouteKey;
            foreach (var reason in AssignmentReasonNames.All)
            {
                writer.Metric("canary_assignments_by_reason_total", "counter", "Routing decisions by reason.", route.Counters.ByReason(reason), ("rollout", rollout), ("reason", AssignmentReasonNames.Name(reason)));
            }
        }
    }
}
