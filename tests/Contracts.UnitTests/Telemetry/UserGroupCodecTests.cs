using Canary.Contracts.Telemetry;

namespace Canary.Contracts.UnitTests.Telemetry;

public sealed class UserGroupCodecTests
{
    [Fact]
    public void Counts_TwoRowsAdded_AreTheirSum()
    {
        var first = new long[UserGroups.Count];
        var second = new long[UserGroups.Count];
        first[0] = 5;
        first[31] = 1L << 40;
        second[0] = 2;
        second[7] = 9;

        var sum = new long[UserGroups.Count];
        UserGroupCodec.AddCounts(UserGroupCodec.EncodeCounts(first), sum);
        UserGroupCodec.AddCounts(UserGroupCodec.EncodeCounts(second), sum);

        Assert.Equal(7, sum[0]);
        Assert.Equal(9, sum[7]);
        Assert.Equal(1L << 40, sum[31]);
        Assert.Equal(3, sum.Count(v => v != 0));
    }

    [Fact]
    public void Counts_AllZero_EncodeToNothing()
    {
        Assert.Null(UserGroupCodec.EncodeCounts(new long[UserGroups.Count]));
    }

    [Fact]
    public void Histograms_WithBins_RoundTripAndMerge()
    {
        var bins = UserGroups.CoarseBinCount(TelemetryMetric.DurationUs);
        var counts = new long[UserGroups.Count];
        var sums = new long[UserGroups.Count];
        var grid = new int[UserGroups.Count * bins];
        counts[3] = 2;
        sums[3] = 1_500;
        grid[(3 * bins) + CoarseBins.Index(500)] = 1;
        grid[(3 * bins) + CoarseBins.Index(1_000)] = 1;
        counts[30] = 1;
        sums[30] = 3_000_000_000;
        grid[(30 * bins) + CoarseBins.Index(3_000_000_000)] = 1;
        var encoded = UserGroupCodec.EncodeHistograms(counts, sums, grid, bins)!;

        var totals = new GroupHistogramTotals(UserGroups.Count, bins);
        totals.Add(encoded);
        totals.Add(encoded);

        Assert.True(totals.HasBins);
        Assert.Equal(4, totals.Counts[3]);
        Assert.Equal(3_000, totals.Sums[3]);
        Assert.Equal(6_000_000_000, totals.Sums[30]);
        Assert.Equal(2, totals.Bins[(30 * bins) + CoarseBins.Index(3_000_000_000)]);
        Assert.Equal(2, totals.Bins[(3 * bins) + CoarseBins.Index(500)]);
        Assert.Equal(encoded.Length, UserGroupCodec.EncodeHistograms(counts, sums, grid, bins)!.Length);

        // Re-encoding the merged totals and reading them back gives the same totals: roll-ups lose nothing.
        var again = new GroupHistogramTotals(UserGroups.Count, bins);
        again.Add(totals.Encode());
        Assert.Equal(totals.Bins.ToArray(), again.Bins.ToArray());
        Assert.Equal(totals.Sums.ToArray(), again.Sums.ToArray());
    }

    [Fact]
    public void Histograms_ARowWithoutBins_LeavesTheTotalsWithoutBins()
    {
        var bins = UserGroups.CoarseBinCount(TelemetryMetric.DurationUs);
        var counts = new long[UserGroups.Count];
        var sums = new long[UserGroups.Count];
        counts[1] = 1;
        sums[1] = 10;
        var totals = new GroupHistogramTotals(UserGroups.Count, bins);
        totals.Add(UserGroupCodec.EncodeHistograms(counts, sums, new int[UserGroups.Count * bins], bins)!);
        totals.Add(UserGroupCodec.EncodeHistograms(counts, sums, ReadOnlySpan<int>.Empty, 0)!);

        Assert.False(totals.HasBins);
        Assert.Equal(2, totals.Counts[1]);
    }

    [Fact]
    public void Histograms_OtherGroupCount_AreRefused()
    {
        var encoded = UserGroupCodec.EncodeCounts([1, 2, 3])!;
        Assert.Throws<InvalidDataException>(() => UserGroupCodec.AddCounts(encoded, new long[UserGroups.Count]));
    }

    [Theory]
    [InlineData(3)]
    [InlineData(9_000)]
    public void Buckets_SparseOrDense_RoundTripAsAUnion(int count)
    {
        var set = new BucketSet();
        for (var b = 0; b < count; b++)
        {
            set.Add((b * 7919) % UserGroups.BucketCount);
        }

        var other = new BucketSet();
        other.Add(9_999);
        var union = new BucketSet();
        union.Add(UserGroupCodec.EncodeBuckets(set.Words, set.BucketCount));
        union.Add(UserGroupCodec.EncodeBuckets(other.Words, other.BucketCount));

        Assert.Equal(count + (set.Contains(9_999) ? 0 : 1), union.Count);
        Assert.True(union.Contains(9_999));
        Assert.True(union.Contains((2 * 7919) % UserGroups.BucketCount));
        // The dense form is a fixed 1 250-byte bitmap; a few buckets take a few bytes.
        Assert.True(UserGroupCodec.EncodeBuckets(set.Words, set.BucketCount)!.Length <= (count < 100 ? 16 : 1_262));
    }

    [Fact]
    public void Decode_TruncatedOrForeign_Throws()
    {
        var encoded = UserGroupCodec.EncodeCounts([0, 0, 300, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0])!;
        Assert.Throws<InvalidDataException>(() => UserGroupCodec.AddCounts(encoded.AsSpan(0, encoded.Length - 1), new long[UserGroups.Count]));
        Assert.Throws<InvalidDataException>(() => new BucketSet().Add(encoded));
        Assert.Throws<InvalidDataException>(() => new GroupHistogramTotals(UserGroups.Count, 4).Add(encoded));
    }
}
