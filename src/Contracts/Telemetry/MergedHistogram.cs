namespace Canary.Contracts.Telemetry;

/// <summary>
/// Exact merge of any number of <see cref="HistogramCodec"/> encodings of one layout (across sidecars and intervals),
/// with quantiles and the mean; values can also be recorded one by one (seeded telemetry, simulations) and the result
/// encoded again (roll-ups). Not thread-safe: the sidecar records with its own concurrent recorders.
/// </summary>
public sealed class MergedHistogram
{
    private readonly long[] _counts;

    public MergedHistogram(HistogramLayout layout)
    {
        ArgumentNullException.ThrowIfNull(layout);
        Layout = layout;
        _counts = new long[layout.CountsLength];
    }

    public HistogramLayout Layout { get; }

    public ReadOnlySpan<long> Counts => _counts;

    public long TotalCount { get; private set; }

    public long Sum { get; private set; }

    /// <summary>Smallest value merged so far, or 0 when empty.</summary>
    public long Min { get; private set; }

    /// <summary>Largest value merged so far, or 0 when empty.</summary>
    public long Max { get; private set; }

    /// <summary>Exact arithmetic mean (from the recorded sum, not the slots), or 0 when empty.</summary>
    public double Mean => TotalCount == 0 ? 0 : (double)Sum / TotalCount;

    /// <summary>Adds one encoded interval histogram.</summary>
    /// <exception cref="HistogramLayoutMismatchException">The encoding uses a different layout.</exception>
    /// <exception cref="InvalidDataException">The bytes are not a valid encoding.</exception>
    public void Add(ReadOnlySpan<byte> encoded)
    {
        var header = HistogramCodec.DecodeAdd(encoded, Layout, _counts);
        if (header.TotalCount == 0)
        {
            return;
        }

        Min = TotalCount == 0 ? header.Min : Math.Min(Min, header.Min);
        Max = TotalCount == 0 ? header.Max : Math.Max(Max, header.Max);
        TotalCount += header.TotalCount;
        Sum += header.Sum;
    }

    /// <summary>Adds one value. A value outside [0, HighestTrackableValue] is counted at the nearest bound, as the
    /// sidecar's recorders count it.</summary>
    public void Record(long value)
    {
        value = Math.Clamp(value, 0, Layout.HighestTrackableValue);
        _counts[Layout.IndexOf(value)]++;
        Min = TotalCount == 0 ? value : Math.Min(Min, value);
        Max = TotalCount == 0 ? value : Math.Max(Max, value);
        TotalCount++;
        Sum += value;
    }

    /// <summary>The <see cref="HistogramCodec"/> encoding of everything added so far.</summary>
    public byte[] Encode()
    {
        var buffer = new byte[HistogramCodec.MaxEncodedLength(Layout)];
        return buffer[..HistogramCodec.Encode(Layout, _counts, Sum, Min, Max, buffer)];
    }

    /// <summary>
    /// The value at quantile <paramref name="quantile"/> (0..1): the highest value equivalent to the slot where the
    /// cumulative count first reaches ⌈q·N⌉, clamped to the recorded min and max, so it is within the layout's
    /// resolution of the exact order statistic. Quantile 0 is the minimum; returns 0 when empty.
    /// </summary>
    public long ValueAtQuantile(double quantile)
    {
        if (double.IsNaN(quantile) || quantile < 0 || quantile > 1)
        {
            throw new ArgumentOutOfRangeException(nameof(quantile), quantile, "Quantile must be within [0, 1].");
        }

        if (TotalCount == 0)
        {
            return 0;
        }

        if (quantile == 0)
        {
            return Min;
        }

        // Decimal keeps 0.99 × 100 at 99 (in double it is 99.00000000000001, whose ceiling would skip a rank).
        var target = Math.Max(1, (long)Math.Ceiling((decimal)quantile * TotalCount));
        long cumulative = 0;
        for (var i = 0; i < _counts.Length; i++)
        {
            cumulative += _counts[i];
            if (cumulative >= target)
            {
                return Math.Clamp(Layout.HighestEquivalentValue(i), Min, Max);
            }
        }

        return Max;
    }
}
