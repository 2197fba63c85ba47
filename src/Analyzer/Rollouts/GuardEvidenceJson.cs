using System.Text.Json.Serialization;

namespace Canary.Analyzer.Rollouts;

/// <summary>One guard in a decision's evidence: its status, threshold, samples, the comparison when there was one, and the p-values.</summary>
internal sealed record GuardEvidenceJson
{
    public required string Key { get; init; }

    /// <summary>The <see cref="Decisions.GuardMetric"/> name.</summary>
    public required string Metric { get; init; }

    /// <summary>The <see cref="Decisions.GuardStatus"/> name.</summary>
    public required string Status { get; init; }

    public double Threshold { get; init; }

    public long CanarySamples { get; init; }

    public long StableSamples { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public JsonFigure? CanaryValue { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public JsonFigure? StableValue { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public JsonFigure? Ratio { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public JsonFigure? RatioLower { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public JsonFigure? RatioUpper { get; init; }

    public JsonFigure PWorseThanStable { get; init; }

    public JsonFigure PWorseThanMargin { get; init; }

    public JsonFigure PWithinMargin { get; init; }

    public JsonFigure PClearlyBetter { get; init; }

    /// <summary>The user-level side of the variance; absent when requests were taken as independent.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public UserLevelJson? UserLevel { get; init; }

    /// <summary>Quality guards only: the judge's figures behind the guard.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public QualityGuardJson? Quality { get; init; }
}
