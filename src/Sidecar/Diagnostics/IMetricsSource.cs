using Canary.Contracts.Metrics;

namespace Canary.Sidecar.Diagnostics;

/// <summary>A feature that contributes series to /metrics; each feature registers one.</summary>
internal interface IMetricsSource
{
    void Write(PrometheusTextWriter writer);
}
