using Canary.Contracts.Telemetry;

namespace Canary.Analyzer.Storage;

/// <summary>
/// One (subset, metric) of a roll-up being built: the merged histogram, and the merged per-group totals while every row
/// carried them (a row without them leaves the roll-up with the histogram only).
/// </summary>
internal sealed class MergedRollup(MergedHistogram histogram)
{
    private GroupHistogramTotals? _groups;
    private bool _partial;

    public MergedHistogram Histogram { get; } = histogram;

    public void AddGroups(byte[]? encoded)
    {
        if (encoded is null)
        {
            _partial = true;
            return;
        }

        if (_groups is null)
        {
            var (groups, bins) = UserGroupCodec.HistogramShape(encoded);
            _groups = new GroupHistogramTotals(groups, bins);
        }

        _groups.Add(encoded);
    }

    /// <summary>The merged per-group encoding, or null when some row had none.</summary>
    public byte[]? EncodedGroups() => _partial ? null : _groups?.Encode();
}
