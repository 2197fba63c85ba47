using System.Globalization;

namespace Canary.Analyzer.Decisions;

/// <summary>
/// One guard: a metric, its non-inferiority threshold relative to stable (0.5 = "+50 %"), an optional "clearly better"
/// ratio that allows acceleration, the quantile for distribution metrics and, for rates, an absolute floor below which
/// the canary counts as within threshold whatever the ratio (so a service with no errors at all can still promote).
/// </summary>
internal sealed record GuardOptions
{
    public required GuardMetric Metric { get; init; }

    /// <summary>Relative non-inferiority margin: the canary is acceptable up to (1 + Threshold) × stable.</summary>
    public required double Threshold { get; init; }

    /// <summary>Quantile level for Latency, TimeToFirstToken, TimePerOutputToken and OutputTokens; ignored otherwise.</summary>
    public double Quantile { get; init; } = 0.95;

    /// <summary>Canary/stable ratio below which the canary is clearly better (e.g. 0.8); null: never accelerates on this guard.</summary>
    public double? ClearlyBetterRatio { get; init; }

    /// <summary>Rates only: a canary rate shown to be below this is within threshold (0 disables).</summary>
    public double AbsoluteRateFloor { get; init; }

    /// <summary>Minimum samples per arm for this guard; null: <see cref="DecisionOptions.MinimumSamplesPerArm"/>.</summary>
    /// <remarks>Feedback is sparse: a feedback guard at the request minimum would hold a rollout for weeks.</remarks>
    public long? MinimumSamples { get; init; }

    public bool IsRate => Metric is GuardMetric.ErrorRate or GuardMetric.RefusalRate or GuardMetric.LengthFinishRate or GuardMetric.NegativeFeedbackRate;

    public bool IsQuantile => Metric is GuardMetric.Latency or GuardMetric.TimeToFirstToken or GuardMetric.TimePerOutputToken or GuardMetric.OutputTokens;

    /// <summary>Stable identifier used in records and sequential state, e.g. "error_rate" or "latency_p95".</summary>
    public string Key => Metric switch
    {
        GuardMetric.ErrorRate => "error_rate",
        GuardMetric.RefusalRate => "refusal_rate",
        GuardMetric.CostPerRequest => "cost_per_request",
        GuardMetric.CostPerSuccessfulRequest => "cost_per_successful_request",
        GuardMetric.LengthFinishRate => "length_finish_rate",
        GuardMetric.NegativeFeedbackRate => "negative_feedback_rate",
        GuardMetric.OutputTokens => "output_tokens_" + QuantileLabel,
        GuardMetric.Latency => "latency_" + QuantileLabel,
        GuardMetric.TimeToFirstToken => "ttft_" + QuantileLabel,
        GuardMetric.TimePerOutputToken => "tpot_" + QuantileLabel,
        _ => Metric.ToString(),
    };

    /// <summary>Words for reasons, e.g. "error rate" or "p95 latency".</summary>
    public string DisplayName => Metric switch
    {
        GuardMetric.ErrorRate => "error rate",
        GuardMetric.RefusalRate => "refusal rate",
        GuardMetric.CostPerRequest => "cost per request",
        GuardMetric.CostPerSuccessfulRequest => "cost per successful request",
        GuardMetric.LengthFinishRate => "share of length-truncated responses",
        GuardMetric.NegativeFeedbackRate => "negative feedback rate",
        GuardMetric.OutputTokens => QuantileLabel + " output tokens",
        GuardMetric.Latency => QuantileLabel + " latency",
        GuardMetric.TimeToFirstToken => QuantileLabel + " time to first token",
        GuardMetric.TimePerOutputToken => QuantileLabel + " time per output token",
        _ => Metric.ToString(),
    };

    private string QuantileLabel => "p" + (Quantile * 100).ToString("0.##", CultureInfo.InvariantCulture);
}
