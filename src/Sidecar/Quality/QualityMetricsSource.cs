using Canary.Contracts.Metrics;
using Canary.Sidecar.Diagnostics;

namespace Canary.Sidecar.Quality;

/// <summary>The quality samples' series in /metrics: drawn, queued, dropped, written.</summary>
internal sealed class QualityMetricsSource : IMetricsSource
{
    private const string Help = "Quality samples, by what became of them.";

    private readonly QualityCounters _counters;

    public QualityMetricsSource(QualityCounters counters)
    {
        _counters = counters;
    }

    public void Write(PrometheusTextWriter writer)
    {
        writer.Metric("canary_quality_samples_total", "counter", Help, _counters[QualityCounter.Sampled], ("result", "sampled"));
        writer.Metric("canary_quality_samples_total", "counter", Help, _counters[QualityCounter.OutsideComparison], ("result", "outside_comparison"));
        writer.Metric("canary_quality_samples_total", "counter", Help, _counters[QualityCounter.NoRequestBody], ("result", "no_request_body"));
        writer.Metric("canary_quality_samples_total", "counter", Help, _counters[QualityCounter.Queued], ("result", "queued"));
        writer.Metric("canary_quality_samples_total", "counter", Help, _counters[QualityCounter.DroppedQueueFull], ("result", "dropped_queue_full"));
        writer.Metric("canary_quality_samples_total", "counter", Help, _counters[QualityCounter.Written], ("result", "written"));
        writer.Metric("canary_quality_samples_total", "counter", Help, _counters[QualityCounter.RejectedByDatabase], ("result", "rejected_by_database"));
        writer.Metric("canary_quality_sample_write_failures_total", "counter", "Failed attempts to write a batch of quality samples (each is retried).", _counters[QualityCounter.WriteFailures]);
    }
}
