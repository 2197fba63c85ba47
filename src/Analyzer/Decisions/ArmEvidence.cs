using Canary.Contracts.Telemetry;
using Canary.Analyzer.Statistics;

namespace Canary.Analyzer.Decisions;

/// <summary>
/// Everything measured for one arm (canary or stable) over the analysis window, merged across sidecars and intervals.
/// Distributions are null when the arm has none (e.g. no streams, so no time to first token).
/// </summary>
internal sealed record ArmEvidence
{
    public required long Requests { get; init; }

    /// <summary>5xx responses and timeouts.</summary>
    public long Errors { get; init; }

    /// <summary>429 responses; reported, not counted as errors.</summary>
    public long RateLimited { get; init; }

    /// <summary>Requests cancelled by the client; reported, not counted as errors.</summary>
    public long ClientCancels { get; init; }

    public long Refusals { get; init; }

    public BucketedDistribution? Latency { get; init; }

    public BucketedDistribution? TimeToFirstToken { get; init; }

    public BucketedDistribution? TimePerOutputToken { get; init; }

    /// <summary>Cost per request as the sidecar priced it (its CostMicroUsd histogram), micro-USD.</summary>
    public BucketedDistribution? Cost { get; init; }

    /// <summary>
    /// Mean cost per request re-priced from the token histograms with the analyzer's current price table (micro-USD);
    /// null without a price for this arm's model. Cost guards use it instead of <see cref="Cost"/> when both arms have it.
    /// </summary>
    public MeanEstimate? RepricedCost { get; init; }

    /// <summary>Responses with a 2xx status: the denominator of cost per successful request.</summary>
    public long Successes { get; init; }

    /// <summary>Finish reasons of the responses that reported one.</summary>
    public FinishReasonCounts FinishReasons { get; init; }

    /// <summary>Output tokens per response (reasoning included).</summary>
    public BucketedDistribution? OutputTokenDistribution { get; init; }

    public long InputTokens { get; init; }

    public long OutputTokens { get; init; }

    public long FeedbackPositive { get; init; }

    public long FeedbackNegative { get; init; }

    /// <summary>
    /// Totals per user group, for variances with users as the units; null when the telemetry has none (sidecars that do
    /// not record groups), and then the guards treat requests as independent.
    /// </summary>
    public ArmGroups? Groups { get; init; }

    /// <summary>The sticky buckets with requests in this arm; null when the telemetry has none (then the split counts requests).</summary>
    public BucketSet? Buckets { get; init; }

    /// <summary>The judge's verdicts and paired comparisons of this arm's quality samples; null unless the rollout has a quality guard.</summary>
    public ArmQuality? Quality { get; init; }
}
