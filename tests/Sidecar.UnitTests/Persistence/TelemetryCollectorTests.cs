using Canary.Contracts.Telemetry;
using Canary.Sidecar.Persistence;
using Canary.Sidecar.Telemetry.Recording;

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
        var collector = new TelemetryCollector(registry, "sidecar-a");

        var batch = collector.Collect(Start, 10_000);

        Assert.Equal(Start, batch.IntervalStartUtc);
        Assert.Equal(10_000, batch.IntervalMilliseconds);
        Assert.Equal(2, batch.Histograms.Count);
        var duration = batch.Histograms.Single(h => h.Metric == TelemetryNames.Metric(TelemetryMetric.DurationUs));
        Assert.Equal(("model-a", "canary", 2L, 4000L, 1500L, 2500L), (duration.Rollout, duration.Subset, duration.Count, duration.Sum, duration.Min, duration.Max));
        var merged = new MergedHistogram(TelemetryLayouts.For(TelemetryMetric.DurationUs));
        merged.Add(duration.Encoded.Span);
        Assert.Equal(2, merged.TotalCount);
        Assert.Equal(4000, merged.Sum);

        var counters = batch.Counters.ToDictionary(c => c.Counter, c => c.Value);
        Assert.Equal(1, counters[TelemetryNames.Counter(TelemetryCounter.Requests)]);
        Assert.Equal(1, counters[TelemetryNames.Counter(TelemetryCounter.Status2xx)]);
        Assert.Equal(1, counters[TelemetryNames.Counter(TelemetryCounter.ValuesClamped)]);
        Assert.Equal(3, counters.Count);
        batch.Release();

        var next = collector.Collect(Start.AddSeconds(10), 10_000);
        Assert.True(next.IsEmpty);
        next.Release();
    }

    [Fact]
    public void Collect_ArmsWithoutTraffic_NoRowsAndNoStorageCreated()
    {
        var registry = new TelemetryRegistry();
        for (var r = 0; r < 1000; r++)
        {
            registry.EnsureArm("rollout-" + r, "stable");
            registry.EnsureArm("rollout-" + r, "canary");
        }

        var active = registry.EnsureArm("rollout-7", "canary");
        active.CountRequest();
        active.RecordDuration(42);
        var collector = new TelemetryCollector(registry, "sidecar-a");

        var batch = collector.Collect(Start, 10_000);

        var histogram = Assert.Single(batch.Histograms);
        Assert.Equal(("sidecar-a", "rollout-7", "canary", TelemetryNames.Metric(TelemetryMetric.DurationUs), Start, 10_000),
            (histogram.SidecarId, histogram.Rollout, histogram.Subset, histogram.Metric, histogram.StartUtc, histogram.IntervalMilliseconds));
        var counter = Assert.Single(batch.Counters);
        Assert.Equal((TelemetryNames.Counter(TelemetryCounter.Requests), 1L), (counter.Counter, counter.Value));
        Assert.Equal(RecorderMemory.RecorderBytes(TelemetryMetric.DurationUs, CoreStripes.Count), registry.HistogramBytes);
        batch.Release();
    }

    [Fact]
    public async Task Collect_FirstValuesWhileCollecting_EveryValueAndEventTakenExactlyOnce()
    {
        // Writers create recorders and counters on their arms' first values while the collector keeps taking
        // intervals: whatever a collection misses (a recorder published just after it looked) must come in a later
        // one, and nothing may be counted twice.
        const int Arms = 200;
        const int PerArm = 500;
        var registry = new TelemetryRegistry();
        var arms = new ArmTelemetry[Arms];
        for (var a = 0; a < Arms; a++)
        {
            arms[a] = registry.EnsureArm("rollout-" + a, "canary");
        }

        var collector = new TelemetryCollector(registry, "sidecar-a");
        long values = 0, requests = 0;
        void Take()
        {
            var batch = collector.Collect(Start, 10_000);
            values += batch.Histograms.Sum(h => h.Count);
            requests += batch.Counters.Where(c => c.Counter == TelemetryNames.Counter(TelemetryCounter.Requests)).Sum(c => c.Value);
            batch.Release();
        }

        using var done = new CancellationTokenSource();
        var collecting = Task.Run(() =>
        {
            while (!done.IsCancellationRequested)
            {
                Take();
            }
        });
        Parallel.For(0, Arms * PerArm, new ParallelOptions { MaxDegreeOfParallelism = 4 }, i =>
        {
            var arm = arms[i % Arms];
            arm.CountRequest();
            arm.RecordDuration(i);
        });
        await done.CancelAsync();
        await collecting;
        Take();

        Assert.Equal(Arms * PerArm, values);
        Assert.Equal(Arms * PerArm, requests);
    }

    [Fact]
    public void Collect_ManyArms_ChunksFillAndKeepEveryEncoding()
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

        var batch = new TelemetryCollector(registry, "sidecar-a").Collect(Start, 10_000);

        Assert.Equal(100, batch.Histograms.Count);
        foreach (var row in batch.Histograms)
        {
            Assert.True(TelemetryNames.TryParseMetric(row.Metric, out var metric));
            var merged = new MergedHistogram(TelemetryLayouts.For(metric));
            merged.Add(row.Encoded.Span);
            Assert.Equal(4999, merged.TotalCount);
            Assert.Equal(row.Sum, merged.Sum);
        }

        batch.Release();
    }
}
