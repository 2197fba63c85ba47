using Canary.Contracts.Metrics;
using Canary.Sidecar.Persistence;
using Canary.Sidecar.Telemetry.Recording;

namespace Canary.Sidecar.Diagnostics;

/// <summary>The telemetry pipeline's own health: intervals written, queued, dropped by the queue bound, and memory held.</summary>
internal sealed class TelemetryMetricsSource : IMetricsSource
{
    private readonly PersistenceStatus _status;
    private readonly TelemetryRegistry _registry;

    public TelemetryMetricsSource(PersistenceStatus status, TelemetryRegistry registry)
    {
        _status = status;
        _registry = registry;
    }

    public void Write(PrometheusTextWriter writer)
    {
        writer.Metric("canary_telemetry_intervals_collected_total", "counter", "Telemetry intervals taken from the recorders.", _status.IntervalsCollected);
        writer.Metric("canary_telemetry_intervals_written_total", "counter", "Telemetry intervals written to PostgreSQL.", _status.IntervalsWritten);
        writer.Metric("canary_telemetry_intervals_dropped_total", "counter", "Telemetry intervals forced out of the bounded queue while PostgreSQL was down.", _status.IntervalsDropped);
        writer.Metric("canary_telemetry_rows_dropped_total", "counter", "Telemetry rows lost with dropped intervals.", _status.RowsDropped);
        writer.Metric("canary_telemetry_intervals_lost_at_shutdown_total", "counter", "Telemetry intervals still unwritten when the sidecar stopped.", _status.IntervalsLostAtShutdown);
        writer.Metric("canary_telemetry_write_failures_total", "counter", "Failed attempts to write telemetry to PostgreSQL.", _status.WriteFailures);
        writer.Metric("canary_telemetry_queue_depth", "gauge", "Telemetry intervals waiting to be written.", _status.QueueDepth);
        writer.Metric("canary_telemetry_histogram_bytes", "gauge", "Memory held by the per-arm histograms.", _registry.HistogramBytes);
        writer.Metric("canary_telemetry_arms", "gauge", "Telemetry arms (rollout, subset) that have recorded a request.", _registry.Arms.Count);
        writer.Metric("canary_telemetry_arms_handed_back_total", "counter", "Times an idle arm handed its histogram recorders back.", _status.ArmsHandedBack);
        writer.Metric("canary_telemetry_hand_back_collections_total", "counter", "Full garbage collections run to return the memory of handed-back recorders.", _status.CollectionsAfterHandBack);
    }
}
