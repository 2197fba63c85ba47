using System.Text.Json.Serialization;

namespace Canary.Analyzer.Rollouts;

/// <summary>One guard of a rollout's stored options.</summary>
internal sealed record StoredGuardJson
{
    /// <summary>The <see cref="Decisions.GuardMetric"/> name.</summary>
    [JsonRequired]
    public string Metric { get; init; } = "";

    [JsonRequired]
    public double Threshold { get; init; }

    [JsonRequired]
    public double Quantile { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public double? ClearlyBetterRatio { get; init; }

    [JsonRequired]
    public double AbsoluteRateFloor { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public long? MinimumSamples { get; init; }
}
