using Canary.Contracts.Telemetry;

namespace Canary.Sidecar.Telemetry.Recording;

/// <summary>
/// One phase of a comparison arm's per-user-group record of a metric, kept inside its <see cref="IntervalHistogram"/>
/// so both are taken by the same phase flip: per <see cref="UserGroupSlots"/> slot the number of values, their sum and
/// how many were clamped, and per user group a coarse histogram (<see cref="CoarseBins"/>) for the metrics whose
/// quantiles the analyzer judges (<see cref="UserGroups.CoarseBinCount"/>). Writers update it with atomics; readers
/// see it only while it is quiescent.
/// </summary>
/// <remarks>
/// Not striped by core: the groups already spread a metric's values over 32 places, and striping would multiply the
/// coarse bins (the bulk of the memory, <see cref="RecorderMemory.UserGroupBytes"/>) by the stripe count. A slot's
/// count and sum sit side by side, so a value touches one cache line for them and one for its bin.
/// </remarks>
internal sealed class UserGroupHistograms
{
    // Keeps slot 0 and bin 0 off the cache line of the arrays' lengths, which every record's bounds check reads.
    private const int Padding = CoreStripes.LongsPerStripe;

    private readonly long[] _scalars = new long[Padding + (UserGroupSlots.Count * 2)];
    private readonly long[] _clamped = new long[UserGroupSlots.Count];
    private readonly int[] _bins;

    public UserGroupHistograms(int binCount)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(binCount);
        BinCount = binCount;
        _bins = new int[binCount == 0 ? 0 : (2 * Padding) + (UserGroups.Count * binCount)];
    }

    /// <summary>Coarse bins per group; 0 for metrics whose groups keep only a count and a sum.</summary>
    public int BinCount { get; }

    /// <summary>Values of the slot (a user group, or <see cref="UserGroupSlots.Ungrouped"/>).</summary>
    public long Count(int slot) => _scalars[Padding + (slot * 2)];

    /// <summary>Sum of the slot's values (after clamping into the layout's range).</summary>
    public long Sum(int slot) => _scalars[Padding + (slot * 2) + 1];

    /// <summary>Values of the slot that were clamped into the layout's range.</summary>
    public long Clamped(int slot) => _clamped[slot];

    /// <summary>The groups' coarse histograms, group-major (<see cref="BinCount"/> per group); empty without bins.</summary>
    public ReadOnlySpan<int> Bins => BinCount == 0 ? [] : _bins.AsSpan(2 * Padding, UserGroups.Count * BinCount);

    /// <summary>Records a value already clamped into the layout's range; <paramref name="clamped"/> says it had to be.</summary>
    internal void Record(long value, bool clamped, int slot)
    {
        var offset = Padding + (slot * 2);
        Interlocked.Increment(ref _scalars[offset]);
        Interlocked.Add(ref _scalars[offset + 1], value);
        if (clamped)
        {
            Interlocked.Increment(ref _clamped[slot]);
        }

        if (BinCount != 0 && slot != UserGroupSlots.Ungrouped)
        {
            Interlocked.Increment(ref _bins[(2 * Padding) + (slot * BinCount) + CoarseBins.Index(value)]);
        }
    }

    /// <summary>
    /// The per-group encoding of this phase (<see cref="UserGroupCodec.EncodeHistograms(ReadOnlySpan{long}, ReadOnlySpan{long}, ReadOnlySpan{int}, int)"/>),
    /// or null when a value without a user group is in it (the groups would not add up to the row) or it is empty.
    /// </summary>
    public byte[]? Encode()
    {
        if (Count(UserGroupSlots.Ungrouped) != 0)
        {
            return null;
        }

        Span<long> counts = stackalloc long[UserGroups.Count];
        Span<long> sums = stackalloc long[UserGroups.Count];
        for (var g = 0; g < UserGroups.Count; g++)
        {
            counts[g] = Count(g);
            sums[g] = Sum(g);
        }

        return UserGroupCodec.EncodeHistograms(counts, sums, Bins, BinCount);
    }

    internal void Reset()
    {
        Array.Clear(_scalars);
        Array.Clear(_clamped);
        Array.Clear(_bins);
    }
}
