using Canary.Analyzer.Decisions;
using Canary.Analyzer.Pricing;
using Canary.Analyzer.Statistics;
using Canary.Contracts.Pricing;
using Canary.Contracts.Telemetry;
using Canary.Contracts.Telemetry.Storage;

namespace Canary.Analyzer.Rollouts;

/// <summary>
/// Turns one arm's merged window into the evidence the decision engine judges. Errors are 5xx responses and streams
/// that ended without a response (timeouts, resets); 429s and client cancels are carried apart and do not count as
/// errors. Distributions are built from the merged histogram buckets (exact across sidecars and intervals).
/// </summary>
internal static class EvidenceBuilder
{
    public static ArmEvidence Build(ArmWindow arm) => Build(arm, null);

    /// <summary>Builds the evidence; with <paramref name="prices"/> the mean cost is also re-priced from the tokens.</summary>
    public static ArmEvidence Build(ArmWindow arm, ModelPrice? prices) => new()
    {
        Requests = arm.Counter(TelemetryCounter.Requests),
        Errors = arm.Counter(TelemetryCounter.Status5xx) + arm.Counter(TelemetryCounter.EndedWithoutResponse),
        RateLimited = arm.Counter(TelemetryCounter.Status429),
        ClientCancels = arm.Counter(TelemetryCounter.CancelledByClient),
        Refusals = arm.Counter(TelemetryCounter.Refusals),
        Latency = Distribution(arm.Histogram(TelemetryMetric.DurationUs)),
        TimeToFirstToken = Distribution(arm.Histogram(TelemetryMetric.TimeToFirstTokenUs)),
        TimePerOutputToken = Distribution(arm.Histogram(TelemetryMetric.TimePerOutputTokenUs)),
        Cost = Distribution(arm.Histogram(TelemetryMetric.CostMicroUsd)),
        InputTokens = arm.Histogram(TelemetryMetric.InputTokens)?.Sum ?? 0,
        OutputTokens = arm.Histogram(TelemetryMetric.OutputTokens)?.Sum ?? 0,
        FeedbackPositive = arm.Counter(TelemetryCounter.FeedbackPositive),
        FeedbackNegative = arm.Counter(TelemetryCounter.FeedbackNegative),
        Successes = arm.Counter(TelemetryCounter.Status2xx),
        FinishReasons = new FinishReasonCounts(
            arm.Counter(TelemetryCounter.FinishStop),
            arm.Counter(TelemetryCounter.FinishLength),
            arm.Counter(TelemetryCounter.FinishContentFilter),
            arm.Counter(TelemetryCounter.FinishToolCalls),
            arm.Counter(TelemetryCounter.FinishOther)),
        OutputTokenDistribution = Distribution(arm.Histogram(TelemetryMetric.OutputTokens)),
        RepricedCost = prices is { } p ? CostRepricer.Reprice(arm, p) : null,
        Groups = Groups(arm, prices),
        Buckets = arm.HasGroups ? arm.Buckets : null,
    };

    /// <summary>
    /// The arm's totals per user group, or null when the rows of the counters every guard needs do not all carry them
    /// (then requests are the units). A distribution whose rows lack them is left out, and its guards treat requests as
    /// independent.
    /// </summary>
    public static ArmGroups? Groups(ArmWindow arm, ModelPrice? prices)
    {
        var groups = UserGroups.Count;
        var complete = true;
        double[] Counter(params TelemetryCounter[] counters)
        {
            var values = new double[groups];
            foreach (var counter in counters)
            {
                if (arm.GroupCounter(counter) is not { } perGroup)
                {
                    complete = false;
                    continue;
                }

                for (var g = 0; g < groups; g++)
                {
                    values[g] += perGroup[g];
                }
            }

            return values;
        }

        if (!arm.HasGroups)
        {
            return null;
        }

        var requests = Counter(TelemetryCounter.Requests);
        var errors = Counter(TelemetryCounter.Status5xx, TelemetryCounter.EndedWithoutResponse);
        var refusals = Counter(TelemetryCounter.Refusals);
        var successes = Counter(TelemetryCounter.Status2xx);
        if (!complete)
        {
            return null;
        }

        var output = Grouped(arm.GroupHistogram(TelemetryMetric.OutputTokens));
        return new ArmGroups
        {
            Requests = requests,
            Errors = errors,
            Refusals = refusals,
            Successes = successes,
            FinishReasons = Optional(TelemetryCounter.FinishStop, TelemetryCounter.FinishLength, TelemetryCounter.FinishContentFilter,
                TelemetryCounter.FinishToolCalls, TelemetryCounter.FinishOther),
            FinishLength = Optional(TelemetryCounter.FinishLength),
            FeedbackPositive = Optional(TelemetryCounter.FeedbackPositive),
            FeedbackNegative = Optional(TelemetryCounter.FeedbackNegative),
            Latency = Grouped(arm.GroupHistogram(TelemetryMetric.DurationUs)),
            TimeToFirstToken = Grouped(arm.GroupHistogram(TelemetryMetric.TimeToFirstTokenUs)),
            TimePerOutputToken = Grouped(arm.GroupHistogram(TelemetryMetric.TimePerOutputTokenUs)),
            Cost = Grouped(arm.GroupHistogram(TelemetryMetric.CostMicroUsd)),
            OutputTokens = output,
            RepricedSpend = prices is { } p ? CostRepricer.RepriceGroups(arm, p) : null,
            RepricedRequests = prices is not null ? output?.Counts : null,
        };

        // A guard whose counters lack groups in some row gets none, and judges requests as independent.
        double[]? Optional(params TelemetryCounter[] counters)
        {
            complete = true;
            var values = Counter(counters);
            return complete ? values : null;
        }
    }

    /// <summary>A metric's per-group totals as the statistics read them.</summary>
    private static GroupedDistribution? Grouped(GroupHistogramTotals? totals)
    {
        if (totals is null)
        {
            return null;
        }

        var counts = new double[totals.Groups];
        var sums = new double[totals.Groups];
        for (var g = 0; g < counts.Length; g++)
        {
            counts[g] = totals.Counts[g];
            sums[g] = totals.Sums[g];
        }

        return totals.HasBins
            ? new GroupedDistribution(counts, sums, totals.Bins.ToArray(), totals.BinCount)
            : new GroupedDistribution(counts, sums);
    }

    /// <summary>The non-empty buckets, each with its exact value range, so sparse input keeps correct bucket widths.</summary>
    public static BucketedDistribution? Distribution(MergedHistogram? histogram)
    {
        if (histogram is null || histogram.TotalCount == 0)
        {
            return null;
        }

        var counts = histogram.Counts;
        var nonEmpty = 0;
        foreach (var count in counts)
        {
            if (count > 0)
            {
                nonEmpty++;
            }
        }

        var values = new double[nonEmpty];
        var lower = new double[nonEmpty];
        var bucketCounts = new long[nonEmpty];
        var j = 0;
        for (var i = 0; i < counts.Length; i++)
        {
            if (counts[i] > 0)
            {
                values[j] = histogram.Layout.HighestEquivalentValue(i);
                lower[j] = histogram.Layout.LowestEquivalentValue(i) - (i == 0 ? 0 : 1);
                bucketCounts[j] = counts[i];
                j++;
            }
        }

        return new BucketedDistribution(values, bucketCounts, lower);
    }
}
