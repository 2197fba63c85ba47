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

    /// <summary>
    /// Quality guards' default minimum: judged samples per arm (score mean, fail rate) or decided pairs (paired loss rate).
    /// Judgements cost a judge call each, so they come in hundreds where requests come in thousands.
    /// </summary>
    public const long DefaultQualityMinimumSamples = 50;

    /// <summary>
    /// Minimum samples per arm for this guard (decided pairs for the paired loss rate); null:
    /// <see cref="DecisionOptions.MinimumSamplesPerArm"/>, or <see cref="DefaultQualityMinimumSamples"/> for quality guards.
    /// </summary>
    /// <remarks>Feedback is sparse: a feedback guard at the request minimum would hold a rollout for weeks.</remarks>
    public long? MinimumSamples { get; init; }

    public bool IsRate => Metric is GuardMetric.ErrorRate or GuardMetric.RefusalRate or GuardMetric.LengthFinishRate or GuardMetric.NegativeFeedbackRate
        or GuardMetric.JudgeFailRate;

    /// <summary>Guards judged from the quality judge's verdicts (opt-in; never among the defaults).</summary>
    public bool IsQuality => Metric is GuardMetric.JudgeScoreMean or GuardMetric.JudgeFailRate or GuardMetric.PairedLossRate;

    /// <summary>The minimum samples this guard needs before it gives a verdict.</summary>
    public long EffectiveMinimumSamples(DecisionOptions options) =>
        MinimumSamples ?? (IsQuality ? DefaultQualityMinimumSamples : options.MinimumSamplesPerArm);

    /// <summary>
    /// The ratio tested against the margin, oriented so that larger is worse: canary/stable for every guard except the
    /// score mean, where it is stable/canary with margin 1 / (1 − threshold), so "at most 10 % below stable" is exact.
    /// </summary>
    public double MarginRatio => Metric == GuardMetric.JudgeScoreMean ? 1 / (1 - Threshold) : 1 + Threshold;

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
        GuardMetric.JudgeScoreMean => "judge_score_mean",
        GuardMetric.JudgeFailRate => "judge_fail_rate",
        GuardMetric.PairedLossRate => "paired_loss_rate",
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
        GuardMetric.JudgeScoreMean => "mean judge score",
        GuardMetric.JudgeFailRate => "share of answers the judge failed",
        GuardMetric.PairedLossRate => "share of lost paired comparisons",
        GuardMetric.OutputTokens => QuantileLabel + " output tokens",
        GuardMetric.Latency => QuantileLabel + " latency",
        GuardMetric.TimeToFirstToken => QuantileLabel + " time to first token",
        GuardMetric.TimePerOutputToken => QuantileLabel + " time per output token",
        _ => Metric.ToString(),
    };

    /// <summary>
    /// The threshold as reasons state it: "+50 %" (relative, above stable), "−10 %" for the score mean (at most that far
    /// below stable's mean) and "55 % (absolute)" for the paired loss share.
    /// </summary>
    public string ThresholdText => ThresholdTextOf(Metric, Threshold);

    public static string ThresholdTextOf(GuardMetric metric, double threshold)
    {
        var percent = (threshold * 100).ToString("0.##", CultureInfo.InvariantCulture) + " %";
        return metric switch
        {
            GuardMetric.JudgeScoreMean => "\u2212" + percent,
            GuardMetric.PairedLossRate => percent + " (absolute)",
            _ => "+" + percent,
        };
    }

    private string QuantileLabel => "p" + (Quantile * 100).ToString("0.##", CultureInfo.InvariantCulture);
}
