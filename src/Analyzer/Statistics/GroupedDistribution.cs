using Canary.Contracts.Telemetry;

namespace Canary.Analyzer.Statistics;

/// <summary>
/// One distribution metric of one arm per user group over the window: each group's value count and sum, and optionally
/// its coarse histogram (<see cref="CoarseBins"/>). The arm's fine histogram locates quantiles; the groups say how
/// those estimates vary from user to user.
/// </summary>
internal sealed class GroupedDistribution
{
    private readonly double[] _counts;
    private readonly double[] _sums;
    private readonly long[]? _bins;

    /// <param name="counts">Values per group.</param>
    /// <param name="sums">Sum of the values per group.</param>
    /// <param name="bins">Coarse histograms, group-major (<c>bins[g * binCount + b]</c>); null when only count and sum were kept.</param>
    /// <param name="binCount">Coarse bins per group.</param>
    public GroupedDistribution(double[] counts, double[] sums, long[]? bins = null, int binCount = 0)
    {
        ArgumentNullException.ThrowIfNull(counts);
        ArgumentNullException.ThrowIfNull(sums);
        if (counts.Length != sums.Length || (bins is not null && (binCount <= 0 || bins.Length != counts.Length * binCount)))
        {
            throw new ArgumentException("Counts, sums and bins need one entry (or one histogram) per group.", nameof(bins));
        }

        _counts = counts;
        _sums = sums;
        _bins = bins;
        BinCount = bins is null ? 0 : binCount;
    }

    public int Groups => _counts.Length;

    public int BinCount { get; }

    public bool HasBins => _bins is not null;

    /// <summary>The arm's mean as a ratio of group sums over group counts.</summary>
    public GroupedRatio Mean() => new(_sums, _counts);

    /// <summary>Values per group, as the denominator of ratios over this metric's values.</summary>
    public double[] Counts => _counts;

    /// <summary>Sum of the values per group.</summary>
    public double[] Sums => _sums;

    /// <summary>
    /// The share of values at or below <paramref name="value"/> as a ratio over groups (Σc_g / Σn_g), for the user-level
    /// variance of a quantile (Deng, Knoblich and Lu 2018: P(Y ≤ q) is a ratio metric over users). Inside the coarse bin
    /// that holds the value, each group's count is split in the proportion the arm's fine histogram
    /// <paramref name="fine"/> has on either side of the value, so bin width adds no error where groups share the arm's
    /// shape.
    /// </summary>
    public GroupedRatio ShareAtOrBelow(double value, BucketedDistribution fine)
    {
        ArgumentNullException.ThrowIfNull(fine);
        if (_bins is null)
        {
            throw new InvalidOperationException("This metric kept no per-group histograms.");
        }

        var bin = Math.Min(CoarseBins.Index((long)Math.Floor(Math.Max(0, value))), BinCount - 1);

        // Coarse bins hold integers [lower, upper); the fine distribution is continuous with bucket mass on (lower, value].
        var lower = CoarseBins.LowerEdge(bin) - 1.0;
        var upper = CoarseBins.UpperEdge(bin) - 1.0;
        var below = fine.CountAtOrBelow(lower);
        var inBin = fine.CountAtOrBelow(upper) - below;
        var fraction = inBin > 0
            ? Math.Clamp((fine.CountAtOrBelow(value) - below) / inBin, 0, 1)
            : Math.Clamp((value - lower) / (upper - lower), 0, 1);

        var atOrBelow = new double[Groups];
        for (var g = 0; g < Groups; g++)
        {
            var row = _bins.AsSpan(g * BinCount, BinCount);
            double cumulative = 0;
            for (var b = 0; b < bin; b++)
            {
                cumulative += row[b];
            }

            atOrBelow[g] = cumulative + (fraction * row[bin]);
        }

        return new GroupedRatio(atOrBelow, _counts);
    }
}
