namespace Canary.Contracts.Telemetry;

/// <summary>
/// The coarse log-linear histogram layout of per-group distributions: four linear bins per power of two (bin widths
/// 12.5–25 % of their values), values 0–3 exact. Each user group of an arm keeps one coarse histogram per distribution
/// metric, next to the arm's fine HdrHistogram; the analyzer reads from it how many of a group's values lie below a
/// quantile that the fine histogram located, which is all a user-level variance of that quantile needs. Part of the
/// schema contract between the sidecar and the analyzer.
/// </summary>
public static class CoarseBins
{
    private const int SubBinsLog2 = 2;
    private const int SubBins = 1 << SubBinsLog2;

    /// <summary>Bins needed to hold every value up to <paramref name="highestValue"/> (values above it are clamped).</summary>
    public static int CountFor(long highestValue)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(highestValue);
        return Index(highestValue) + 1;
    }

    /// <summary>The bin of a non-negative value (negative values count as 0).</summary>
    public static int Index(long value)
    {
        if (value < SubBins)
        {
            return value < 0 ? 0 : (int)value;
        }

        // For v in [2^e, 2^(e+1)) with e ≥ 2, v >> (e − 2) lies in [4, 8): its low two bits pick the linear sub-bin.
        var exponent = 63 - System.Numerics.BitOperations.LeadingZeroCount((ulong)value);
        var top = (int)(value >> (exponent - SubBinsLog2));
        return (SubBins * (exponent - 1)) + (top - SubBins);
    }

    /// <summary>Smallest value of a bin (inclusive).</summary>
    public static long LowerEdge(int bin)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(bin);
        if (bin < SubBins)
        {
            return bin;
        }

        var exponent = (bin / SubBins) + 1;
        var sub = bin % SubBins;
        return (long)(SubBins + sub) << (exponent - SubBinsLog2);
    }

    /// <summary>Smallest value of the next bin (exclusive upper edge of this one).</summary>
    public static long UpperEdge(int bin) => LowerEdge(bin + 1);
}
