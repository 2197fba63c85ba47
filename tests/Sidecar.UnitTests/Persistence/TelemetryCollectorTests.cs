using Canary.Contracts.Telemetry;
using Canary.Sidecar.Persistence;
using Canary.Sidecar.Telemetry;

namespace Canary.Sidecar.UnitTests.Persistence;

public class TelemetryCollectorTests
{
    private static readonly DateTime Start = new(2026, 1, 2, 3, 4, 5, DateTimeKind.Utc);

    [Fact]
    public void Collect_ActiveArm_EncodesOnlyNonEmptyHistogramsAndMovedCounters()
    {
        var registry = new TelemetryRegistry();
        var arm = registry.EnsureArm("model-a", "canary");
        registry.EnsureArm("model-a", "stable");
        arm.CountRequest();
        arm.CountStatus(200);
        arm.RecordDuration(1500);
        arm.RecordDuration(2500);
        arm.RecordOutputTokens(20_000_000);
        var collector = new TelemetryCollector(registry);

        var batch = collector.Collect(Start, 10_000);

        Assert.Equal(Start, batch.IntervalStartUtc);
        Assert.Equal(10_000, batch.IntervalMilliseconds);
        Assert.Equal(2, batch.Histograms.Count);
        var duration = batch.Histograms.Single(h => h.Metric == TelemetryMetric.DurationUs);
        Assert.Equal(("model-a", "canary", 2L, 4000L, 1500L, 2500L), (duration.Rollout, duration.Subset, duration.Count, duration.Sum, duration.Min, duration.Max));
        var merged = new MergedHistogram(TelemetryLayouts.For(TelemetryMetric.DurationUs));
        merged.Add(batch.Encoded(duration).Span);
        Assert.Equal(2, merged.TotalCount);
        Assert.Equal(4000, merged.Sum);

        var counters = batch.Counters.ToDictionary(c => c.Counter, c => c.Value);
        Assert.Equal(1, counters[TelemetryCounter.Requests]);
        Assert.Equal(1, counters[TelemetryCounter.Status2xx]);
        Assert.Equal(1, counters[TelemetryCounter.ValuesClamped]);
        Assert.Equal(3, counters.Count);
        batch.Release();

        var next = collector.Collect(Start.AddSeconds(10), 10_000);
        Assert.True(next.IsEmpty);
        next.Release();
    }

    [Fact]
    public void Collect_ManyArms_ArenaGrowsAndKeepsEveryEncoding()
    {
        var registry = new TelemetryRegistry();
        for (var r = 0; r < 50; r++)
        {
            var arm = registry.EnsureArm("rollout-" + r, "stable");
            for (var v = 1; v < 5000; v++)
            {
                arm.RecordDuration(v * 997L);
                arm.RecordResponseBytes(v * 31L);
            }
        }

        var batch = new TelemetryCollector(registry).Collect(Start, 10_000);

        Assert.Equal(100, batch.Histograms.Count);
        foreach (var row in batch.Histograms)
        {
            var merged = new MergedHistogram(TelemetryLayouts.For(row.Metric));
            merged.Add(batch.Encoded(row).Span);
            Assert.Equal(4999, merged.TotalCount);
            Assert.Equal(row.Sum, merged.Sum);
        }

        batch.Release();
    }
}
