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

    /// <summary>Mean cost per request, re-priced from tokens.</summary>
    CostPerRequest,
}
