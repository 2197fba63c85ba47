using Canary.Contracts.Telemetry;
using Canary.Contracts.Telemetry.Storage;

namespace Canary.Contracts.UnitTests.Telemetry;

public sealed class TelemetryRowTests
{
    private static readonly DateTime Start = new(2026, 3, 1, 12, 0, 0, DateTimeKind.Utc);

    [Fact]
    public void FromEncoding_RecordedValues_CountSumMinMaxFromTheHeader()
    {
        var histogram = new MergedHistogram(TelemetryLayouts.For(TelemetryMetric.DurationUs));
        foreach (var value in new long[] { 1500, 2500, 700 })
        {
            histogram.Record(value);
        }

        var row = HistogramRow.FromEncoding("sidecar-a", "model-a", "canary", "duration_us", Start, 10_000, histogram.Encode());

        Assert.Equal((3L, 4700L, 700L, 2500L), (row.Count, row.Sum, row.Min, row.Max));
        Assert.Equal(("sidecar-a", "model-a", "canary", "duration_us", Start, 10_000), (row.SidecarId, row.Rollout, row.Subset, row.Metric, row.StartUtc, row.IntervalMilliseconds));
    }

    [Fact]
    public void Columns_RawAndRollupTiers_KeyOfTheTierThenTheValues()
    {
        Assert.Equal("sidecar_id, rollout, subset, metric, interval_start, interval_ms, count, sum, min, max, encoded, groups", HistogramRow.Columns(TelemetryTier.Raw));
        Assert.Equal("rollout, subset, metric, hour_start, count, sum, min, max, encoded, groups", HistogramRow.Columns(TelemetryTier.Hourly));
        Assert.Equal("sidecar_id, rollout, subset, counter, interval_start, interval_ms, value, groups, buckets", CounterRow.Columns(TelemetryTier.Raw));
        Assert.Equal("rollout, subset, counter, slice_start, value, groups, buckets", CounterRow.Columns(TelemetryTier.Slices));
    }

    [Fact]
    public void Floor_RollupTiers_StartOfTheBucket()
    {
        var time = new DateTimeOffset(2026, 3, 1, 12, 17, 31, TimeSpan.Zero);

        Assert.Equal(new DateTimeOffset(2026, 3, 1, 12, 0, 0, TimeSpan.Zero), TelemetryTier.Hourly.Floor(time));
        Assert.Equal(new DateTimeOffset(2026, 3, 1, 12, 15, 0, TimeSpan.Zero), TelemetryTier.Slices.Floor(time));
        Assert.Throws<InvalidOperationException>(() => TelemetryTier.Raw.Floor(time));
    }
}
