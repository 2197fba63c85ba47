namespace Canary.Analyzer.Storage;

/// <summary>One roll-up granularity of the raw intervals: its tables, ledger and bucket length.</summary>
internal sealed record RollupTier(string Name, TimeSpan Length, string HistogramTable, string CounterTable, string LedgerTable, string StartColumn)
{
    public static readonly RollupTier Hourly = new("hour", TelemetryHours.Hour, "hourly_histograms", "hourly_counters", "compacted_hours", "hour_start");

    public static readonly RollupTier Slices = new("slice", TelemetrySlices.Length, "slice_histograms", "slice_counters", "compacted_slices", "slice_start");

    public DateTimeOffset Floor(DateTimeOffset time)
    {
        var ticks = time.UtcTicks;
        return new DateTimeOffset(ticks - (ticks % Length.Ticks), TimeSpan.Zero);
    }
}
