namespace Canary.Analyzer.Decisions;

/// <summary>A metric that can gate a rollout, compared canary over stable on the ratio scale.</summary>
internal enum GuardMetric
{
    /// <summary>(5xx + timeouts) / requests; 429 and client cancels are reported apart and do not count.</summary>
    ErrorRate,

    /// <summary>Refusals / requests.</summary>
    RefusalRate,

    /// <summary>A quantile of total request latency.</summary>
    Latency,

    /// <summary>A quantile of time to first token (streams).</summary>
    TimeToFirstToken,

    /// <summary>A quantile of time per output token (streams).</summary>
    TimePerOutputToken,

    /// <summary>Mean cost per request: re-priced from tokens when both arms have a price, else as the sidecar priced it.</summary>
    CostPerRequest,

    /// <summary>All spend over the 2xx responses: a canary that fails more pays more per useful answer.</summary>
    CostPerSuccessfulRequest,

    /// <summary>Share of responses that finished on the length limit (truncated) among those with a finish reason.</summary>
    LengthFinishRate,

    /// <summary>A quantile of output tokens per response.</summary>
    OutputTokens,

    /// <summary>Negative / (positive + negative) user feedback; applies only when both arms have feedback.</summary>
    NegativeFeedbackRate,

    /// <summary>
    /// The judge's mean rubric score (1–5) per judged quality sample. Higher is better, so the guard tests stable/canary:
    /// a threshold of 10 % accepts a canary mean down to 90 % of stable's.
    /// </summary>
    JudgeScoreMean,

    /// <summary>Judged quality samples the judge failed (passed = false) over the judged samples.</summary>
    JudgeFailRate,

    /// <summary>
    /// The canary's share of lost paired comparisons among the decided ones (wins + losses, ties left out), tested
    /// against an absolute share (the threshold), not against stable.
    /// </summary>
    PairedLossRate,
}
