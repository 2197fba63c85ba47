using Canary.Contracts.Telemetry;

namespace Canary.Sidecar.Persistence;

/// <summary>One <c>interval_histograms</c> row of a <see cref="TelemetryBatch"/>; the encoding lives in the batch's arena.</summary>
internal readonly record struct HistogramRow(
    string Rollout,
    string Subset,
    TelemetryMetric Metric,
    long Count,
    long Sum,
    long Min,
    long Max,
    int Offset,
    int Length);
