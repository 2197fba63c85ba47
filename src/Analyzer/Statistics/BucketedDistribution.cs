namespace Canary.Analyzer.Statistics;

/// <summary>
/// A merged histogram as ascending bucket representative values with their counts (for example merged HdrHistogram
/// counts). Quantiles spread each bucket's mass uniformly over (lower bound, representative value]: the lower bound is
/// given explicitly for sparse input (only non-empty buckets), or else is the previous representative value, which is
/// right for contiguous buckets.
/// </summary>
internal sealed class BucketedDistribution
{
    private readonly double[] _values;
    private readonly long[] _counts;
    private readonly double[]? _lowerBounds;

    /// <summary>Wraps the arrays without copying; the caller must not change them while this instance is in use.</summary>
    /// <param name="values">Strictly ascending representative (upper) value of each bucket.</param>
    /// <param name="counts">Count of each bucket.</param>
    /// <param name="lowerBounds">Optional lower edge of each bucket, between the previous value and the bucket's own.</param>
    public BucketedDistribution(double[] values, long[] counts, double[]? lowerBounds = null)
    {
        ArgumentNullException.ThrowIfNull(values);
        ArgumentNullException.ThrowIfNull(counts);
        if (values.Length != counts.Length || (lowerBounds is not null && lowerBounds.Length != values.Length))
        {
            throw new ArgumentException("Values, counts and lower bounds must have the same length.", nameof(counts));
        }

        long total = 0;
        for (var i = 0; i < values.Length; i++)
        {
            if (double.IsNaN(values[i]) || double.IsInfinity(values[i]))
            {
                throw new ArgumentException("Bucket values must be finite.", nameof(values));
            }

            if (i > 0 && !(values[i] > values[i - 1]))
            {
                throw new ArgumentException("Bucket values must be strictly ascending.", nameof(values));
            }

            if (counts[i] < 0)
            {
                throw new ArgumentException("Bucket counts must not be negative.", nameof(counts));
            }

            if (lowerBounds is not null && !(lowerBounds[i] <= values[i] && (i == 0 || lowerBounds[i] >= values[i - 1])))
            {
                throw new ArgumentException("Each lower bound must lie between the previous value and the bucket's value.", nameof(lowerBounds));
            }

            total = checked(total + counts[i]);
        }

        _values = values;
        _counts = counts;
        _lowerBounds = lowerBounds;
        Count = total;
    }

    /// <summary>Number of recorded values.</summary>
    public long Count { get; }

    public ReadOnlySpan<double> Values => _values;

    public ReadOnlySpan<long> Counts => _counts;

    /// <summary>The p-quantile (0 ≤ p ≤ 1); NaN when empty.</summary>
    public double Quantile(double p)
    {
        if (double.IsNaN(p) || p < 0 || p > 1)
        {
            throw new ArgumentOutOfRangeException(nameof(p), p, "A quantile level must be in [0, 1].");
        }

        if (Count == 0)
        {
            return double.NaN;
        }

        var target = p * Count;
        double cumulative = 0;
        for (var i = 0; i < _values.Length; i++)
        {
            var count = _counts[i];
            if (count == 0)
            {
                continue;
            }

            var next = cumulative + count;
            if (next >= target)
            {
                var lower = PreviousValue(i);
                if (double.IsNaN(lower))
                {
                    return _values[i];
                }

                var fraction = (target - cumulative) / count;
                return lower + (fraction * (_values[i] - lower));
            }

            cumulative = next;
        }

        return _values[^1];
    }

    /// <summary>
    /// How many values are at or below <paramref name="value"/>, with each bucket's mass spread uniformly over its range as
    /// <see cref="Quantile"/> spreads it (so the count at <c>Quantile(p)</c> is p·Count).
    /// </summary>
    public double CountAtOrBelow(double value)
    {
        double cumulative = 0;
        for (var i = 0; i < _values.Length; i++)
        {
            var count = _counts[i];
            if (count == 0)
            {
                continue;
            }

            if (value >= _values[i])
            {
                cumulative += count;
                continue;
            }

            var lower = PreviousValue(i);
            if (!double.IsNaN(lower) && value > lower)
            {
                cumulative += count * (value - lower) / (_values[i] - lower);
            }

            break;
        }

        return cumulative;
    }

    /// <summary>Arithmetic mean of the bucket values weighted by counts; NaN when empty.</summary>
    public double Mean()
    {
        if (Count == 0)
        {
            return double.NaN;
        }

        double sum = 0;
        for (var i = 0; i < _values.Length; i++)
        {
            sum += _values[i] * _counts[i];
        }

        return sum / Count;
    }

    /// <summary>Sample variance (n − 1 denominator) of the bucket values; NaN with fewer than two values.</summary>
    public double Variance()
    {
        if (Count < 2)
        {
            return double.NaN;
        }

        var mean = Mean();
        double sum = 0;
        for (var i = 0; i < _values.Length; i++)
        {
            var d = _values[i] - mean;
            sum += d * d * _counts[i];
        }

        return sum / (Count - 1);
    }

    private double PreviousValue(int index)
    {
        // Without explicit bounds the previous representative value bounds the bucket; the first bucket is a point mass.
        if (_lowerBounds is not null)
        {
            return _lowerBounds[index];
        }

        return index == 0 ? double.NaN : _values[index - 1];
    }
}
