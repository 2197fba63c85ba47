namespace Canary.Analyzer.Statistics;

/// <summary>
/// A merged histogram as ascending bucket representative values with their counts (for example the non-empty buckets of
/// merged HdrHistogram counts). Quantiles spread each bucket's mass uniformly between the previous representative value
/// and its own, so estimates move smoothly between buckets.
/// </summary>
internal sealed class BucketedDistribution
{
    private readonly double[] _values;
    private readonly long[] _counts;

    /// <summary>Wraps the arrays without copying; the caller must not change them while this instance is in use.</summary>
    public BucketedDistribution(double[] values, long[] counts)
    {
        ArgumentNullException.ThrowIfNull(values);
        ArgumentNullException.ThrowIfNull(counts);
        if (values.Length != counts.Length)
        {
            throw new ArgumentException("Values and counts must have the same length.", nameof(counts));
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

            total = checked(total + counts[i]);
        }

        _values = values;
        _counts = counts;
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
        // The previous representative value bounds the bucket from below; the first bucket is a point mass.
        return index == 0 ? double.NaN : _values[index - 1];
    }
}
