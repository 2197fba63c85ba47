using System.Text.Json.Serialization;

namespace Canary.Analyzer.Rollouts;

/// <summary>
/// One arm in a decision's evidence. A figure the arm has no data for (no latency histogram, no re-pricing) is left out;
/// one that could not be computed (a mean over no successes) is <c>null</c>.
/// </summary>
internal sealed record ArmEvidenceJson
{
    public long Requests { get; init; }

    public long Errors { get; init; }

    public long RateLimited { get; init; }

    public long ClientCancels { get; init; }

    public long Refusals { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public JsonFigure? LatencyP50Us { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public JsonFigure? LatencyP95Us { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public JsonFigure? LatencyP99Us { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public JsonFigure? TtftP95Us { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public JsonFigure? CostMeanMicroUsd { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public JsonFigure? RepricedCostMeanMicroUsd { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public JsonFigure? CostPerSuccessMicroUsd { get; init; }

    public long Successes { get; init; }

    public long InputTokens { get; init; }

    public long OutputTokens { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public JsonFigure? OutputTokensP50 { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public JsonFigure? OutputTokensP95 { get; init; }

    /// <summary>Responses per finish reason (<see cref="Decisions.FinishReasonCounts.Names"/>, in that order); left out when none reported one.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyDictionary<string, long>? FinishReasons { get; init; }

    public long FeedbackPositive { get; init; }

    public long FeedbackNegative { get; init; }

    /// <summary>The judge's verdicts and paired comparisons; left out unless the rollout has a quality guard.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public ArmQualityJson? Quality { get; init; }
}
