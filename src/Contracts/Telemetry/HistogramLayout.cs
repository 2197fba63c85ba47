using System.Numerics;

namespace Canary.Contracts.Telemetry;

/// <summary>
/// Bucket geometry of an HdrHistogram-style histogram with a lowest discernible value of 1: values are integers in
/// [0, <see cref="HighestTrackableValue"/>] and every value is kept to <see cref="SignificantDigits"/> decimal digits.
/// </summary>
/// <remarks>
/// The counts array is split into buckets of <c>SubBucketHalfCount</c> slots. Bucket 0 holds the values
/// [0, SubBucketCount) at unit resolution; bucket b ≥ 1 holds [SubBucketHalfCount·2^b, SubBucketCount·2^b) in steps of
/// 2^b, so the relative width of a slot is at most 1 / SubBucketHalfCount. This is the layout HdrHistogram uses, so
/// the index of a value is a leading-zero count and two shifts. Immutable and thread-safe.
/// </remarks>
public sealed class HistogramLayout : IEquatable<HistogramLayout>
{
    /// <summary>Largest value this layout accepts for <see cref="HighestTrackableValue"/>.</summary>
    public const long MaxHighestTrackableValue = long.MaxValue / 2;

    private readonly int _subBucketHalfCountMagnitude;
    private readonly int _subBucketHalfCount;
    private readonly long _subBucketMask;
    private readonly int _leadingZeroCountBase;

    public HistogramLayout(long highestTrackableValue, int significantDigits)
    {
        if (significantDigits is < 1 or > 5)
        {
            throw new ArgumentOutOfRangeException(nameof(significantDigits), significantDigits, "Significant digits must be between 1 and 5.");
        }

        if (highestTrackableValue < 2 || highestTrackableValue > MaxHighestTrackableValue)
        {
            throw new ArgumentOutOfRangeException(nameof(highestTrackableValue), highestTrackableValue, "The highest trackable value must be between 2 and long.MaxValue / 2.");
        }

        HighestTrackableValue = highestTrackableValue;
        SignificantDigits = significantDigits;

        // Unit resolution is needed up to 2·10^digits so that one slot never spans more than 10^-digits of its value.
        long largestValueWithSingleUnitResolution = 2;
        for (var i = 0; i < significantDigits; i++)
        {
            largestValueWithSingleUnitResolution *= 10;
        }

        var subBucketCountMagnitude = 64 - BitOperations.LeadingZeroCount((ulong)(largestValueWithSingleUnitResolution - 1));
        _subBucketHalfCountMagnitude = subBucketCountMagnitude - 1;
        SubBucketCount = 1 << subBucketCountMagnitude;
        _subBucketHalfCount = SubBucketCount / 2;
        _subBucketMask = SubBucketCount - 1;
        _leadingZeroCountBase = 64 - _subBucketHalfCountMagnitude - 1;

        long smallestUntrackableValue = SubBucketCount;
        var bucketCount = 1;
        while (smallestUntrackableValue <= highestTrackableValue)
        {
            smallestUntrackableValue <<= 1;
            bucketCount++;
        }

        BucketCount = bucketCount;
        CountsLength = (bucketCount + 1) * _subBucketHalfCount;
    }

    public long HighestTrackableValue { get; }

    public int SignificantDigits { get; }

    /// <summary>Slots in the first bucket; later buckets use the upper half of this many.</summary>
    public int SubBucketCount { get; }

    public int BucketCount { get; }

    /// <summary>Length of a counts array for this layout.</summary>
    public int CountsLength { get; }

    /// <summary>Index of the slot counting <paramref name="value"/>; the value must be in [0, HighestTrackableValue].</summary>
    public int IndexOf(long value)
    {
        var bucketIndex = _leadingZeroCountBase - BitOperations.LeadingZeroCount((ulong)(value | _subBucketMask));
        var subBucketIndex = (int)(value >> bucketIndex);
        return ((bucketIndex + 1) << _subBucketHalfCountMagnitude) + subBucketIndex - _subBucketHalfCount;
    }

    /// <summary>Smallest value counted in slot <paramref name="index"/>.</summary>
    public long LowestEquivalentValue(int index)
    {
        var bucketIndex = (index >> _subBucketHalfCountMagnitude) - 1;
        long subBucketIndex = (index & (_subBucketHalfCount - 1)) + _subBucketHalfCount;
        if (bucketIndex < 0)
        {
            subBucketIndex -= _subBucketHalfCount;
            bucketIndex = 0;
        }

        return subBucketIndex << bucketIndex;
    }

    /// <summary>Largest value counted in slot <paramref name="index"/>.</summary>
    public long HighestEquivalentValue(int index)
    {
        var bucketIndex = Math.Max(0, (index >> _subBucketHalfCountMagnitude) - 1);
        return LowestEquivalentValue(index) + (1L << bucketIndex) - 1;
    }

    /// <summary>Bytes of counters one histogram of this layout holds with counters of <paramref name="counterSize"/> bytes.</summary>
    public long CountsBytes(int counterSize) => (long)CountsLength * counterSize;

    public bool Equals(HistogramLayout? other) =>
        other is not null && other.HighestTrackableValue == HighestTrackableValue && other.SignificantDigits == SignificantDigits;

    public override bool Equals(object? obj) => Equals(obj as HistogramLayout);

    public override int GetHashCode() => HashCode.Combine(HighestTrackableValue, SignificantDigits);

    public override string ToString() => $"[0, {HighestTrackableValue}] at {SignificantDigits} significant digits";
}
