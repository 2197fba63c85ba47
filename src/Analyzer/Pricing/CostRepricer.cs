using Canary.Analyzer.Statistics;
using Canary.Contracts.Pricing;
using Canary.Contracts.Telemetry;
using Canary.Contracts.Telemetry.Storage;

namespace Canary.Analyzer.Pricing;

/// <summary>
/// Re-prices an arm's mean cost per request from its token histograms with the analyzer's current prices, instead of
/// the cost the sidecar computed with the prices it had when the request ran.
/// </summary>
/// <remarks>
/// Cost is linear in the token counts: c = a·In + (aC − a)·Cached + (aW − a)·Written + aO·Out with a, aC, aW, aO the
/// per-token prices (uncached input is In − Cached − Written). So the mean cost is exact from the histogram sums alone.
/// The per-request variance needs the joint distribution, which the marginal histograms do not keep; it is bounded
/// above by Minkowski's inequality, sd(Σ wᵢXᵢ) ≤ Σ |wᵢ|·sd(Xᵢ), so the comparison is conservative (its interval is at
/// least as wide as the true one). Requests are those with output tokens recorded; a metric recorded on fewer of them
/// (cache tokens only when the provider reports them) counts as zero on the rest, as the sidecar prices them.
/// </remarks>
internal static class CostRepricer
{
    private const double MillionTokens = 1_000_000;

    /// <summary>Mean cost per priced request in micro-USD; null without output-token data.</summary>
    public static MeanEstimate? Reprice(ArmWindow arm, ModelPrice prices)
    {
        var output = arm.Histogram(TelemetryMetric.OutputTokens);
        if (output is null || output.TotalCount < 2)
        {
            return null;
        }

        long n = output.TotalCount;
        // µUSD per token = USD per million tokens = µUSD per million tokens / 10^6.
        var a = prices.InputPerMillion / MillionTokens;
        Span<(TelemetryMetric Metric, double Weight)> terms =
        [
            (TelemetryMetric.InputTokens, a),
            (TelemetryMetric.CachedTokens, (prices.CachedInputPerMillion / MillionTokens) - a),
            (TelemetryMetric.CacheCreationTokens, (prices.CacheWritePerMillion / MillionTokens) - a),
            (TelemetryMetric.OutputTokens, prices.OutputPerMillion / MillionTokens),
        ];

        double mean = 0;
        double sdBound = 0;
        foreach (var (metric, weight) in terms)
        {
            var (m, sd) = Moments(arm.Histogram(metric), n);
            mean += weight * m;
            sdBound += Math.Abs(weight) * sd;
        }

        return mean > 0 ? MeanEstimate.FromMoments(mean, sdBound * sdBound, n) : null;
    }

    /// <summary>
    /// Spend per user group re-priced from the group's token sums (exact: cost is linear in the tokens), micro-USD; null
    /// when the arm has no per-group token totals.
    /// </summary>
    public static double[]? RepriceGroups(ArmWindow arm, ModelPrice prices)
    {
        var output = arm.GroupHistogram(TelemetryMetric.OutputTokens);
        if (output is null)
        {
            return null;
        }

        var a = prices.InputPerMillion / MillionTokens;
        Span<(TelemetryMetric Metric, double Weight)> terms =
        [
            (TelemetryMetric.InputTokens, a),
            (TelemetryMetric.CachedTokens, (prices.CachedInputPerMillion / MillionTokens) - a),
            (TelemetryMetric.CacheCreationTokens, (prices.CacheWritePerMillion / MillionTokens) - a),
            (TelemetryMetric.OutputTokens, prices.OutputPerMillion / MillionTokens),
        ];

        var spend = new double[output.Groups];
        foreach (var (metric, weight) in terms)
        {
            if (arm.GroupHistogram(metric) is { } tokens)
            {
                for (var g = 0; g < spend.Length; g++)
                {
                    spend[g] += weight * tokens.Sums[g];
                }
            }
        }

        return spend;
    }

    /// <summary>Mean and standard deviation per request over <paramref name="n"/> requests, absent values as zero.</summary>
    internal static (double Mean, double StandardDeviation) Moments(MergedHistogram? histogram, long n)
    {
        if (histogram is null || histogram.TotalCount == 0)
        {
            return (0, 0);
        }

        var counts = histogram.Counts;
        double squares = 0;
        for (var i = 0; i < counts.Length; i++)
        {
            if (counts[i] > 0)
            {
                double value = histogram.Layout.HighestEquivalentValue(i);
                squares += value * value * counts[i];
            }
        }

        var denominator = Math.Max(n, histogram.TotalCount);
        var mean = (double)histogram.Sum / denominator;
        var variance = Math.Max(0, (squares / denominator) - (mean * mean)) * denominator / Math.Max(1, denominator - 1);
        return (mean, Math.Sqrt(variance));
    }
}
