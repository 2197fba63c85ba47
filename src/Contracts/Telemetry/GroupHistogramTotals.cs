namespace Canary.Contracts.Telemetry;

/// <summary>
/// One distribution metric of one arm per user group, summed over rows: each group's value count and sum, and its coarse
/// histogram (<see cref="CoarseBins"/>) when every merged row carried one.
/// </summary>
public sealed class GroupHistogramTotals
{
    private readonly long[] _counts;
    private readonly long[] _sums;
    private readonly long[] _bins;

    public GroupHistogramTotals(int groups, int binCount)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(groups);
        ArgumentOutOfRangeException.ThrowIfNegative(binCount);
        _counts = new long[groups];
        _sums = new long[groups];
        _bins = new long[groups * binCount];
        BinCount = binCount;
    }

    public int Groups => _counts.Length;

    public int BinCount { get; }

    /// <summary>True when every merged row carried coarse bins (and this metric keeps them).</summary>
    public bool HasBins => BinCount > 0 && !BinsMissing;

    public ReadOnlySpan<long> Counts => _counts;

    public ReadOnlySpan<long> Sums => _sums;

    /// <summary>Coarse histograms, group-major: bin b of group g at g × <see cref="BinCount"/> + b.</summary>
    public ReadOnlySpan<long> Bins => _bins;

    private bool BinsMissing { get; set; }

    /// <summary>These totals as one encoding (a roll-up row), with the coarse bins only when every merged row had them.</summary>
    public byte[]? Encode() => UserGroupCodec.EncodeHistograms(_counts, _sums, HasBins ? _bins : default, HasBins ? BinCount : 0);

    /// <summary>Adds an encoded row (<c>UserGroupCodec.EncodeHistograms</c>).</summary>
    public void Add(ReadOnlySpan<byte> encoded) => UserGroupCodec.AddHistograms(encoded, this);

    internal void AddGroup(int group, long count, long sum)
    {
        _counts[group] += count;
        _sums[group] += sum;
    }

    internal void AddBin(int group, int bin, long count) => _bins[(group * BinCount) + bin] += count;

    internal void MarkBinsMissing() => BinsMissing = true;
}
