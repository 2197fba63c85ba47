using Canary.Analyzer.Statistics;

namespace Canary.Analyzer.Decisions;

/// <summary>
/// One arm's totals per user group (<c>UserGroups</c>) over the window, summed across sidecars and intervals: what the
/// guards need for variances with users, not requests, as the independent units. Arrays have one entry per group.
/// </summary>
internal sealed record ArmGroups
{
    public required double[] Requests { get; init; }

    /// <summary>5xx responses and streams that ended without a response, as <see cref="ArmEvidence.Errors"/>.</summary>
    public required double[] Errors { get; init; }

    public required double[] Refusals { get; init; }

    /// <summary>2xx responses.</summary>
    public required double[] Successes { get; init; }

    /// <summary>Responses that reported a finish reason.</summary>
    public double[]? FinishReasons { get; init; }

    public double[]? FinishLength { get; init; }

    public double[]? FeedbackPositive { get; init; }

    public double[]? FeedbackNegative { get; init; }

    public GroupedDistribution? Latency { get; init; }

    public GroupedDistribution? TimeToFirstToken { get; init; }

    public GroupedDistribution? TimePerOutputToken { get; init; }

    public GroupedDistribution? Cost { get; init; }

    public GroupedDistribution? OutputTokens { get; init; }

    /// <summary>Spend per group re-priced from its token sums with the analyzer's price table; null without a price.</summary>
    public double[]? RepricedSpend { get; init; }

    /// <summary>Priced requests (those with output tokens) per group: the denominator of the re-priced mean.</summary>
    public double[]? RepricedRequests { get; init; }

    public int Count => Requests.Length;

    /// <summary>Groups that sent at least one request.</summary>
    public int NonEmpty
    {
        get
        {
            var n = 0;
            foreach (var r in Requests)
            {
                if (r > 0)
                {
                    n++;
                }
            }

            return n;
        }
    }
}
