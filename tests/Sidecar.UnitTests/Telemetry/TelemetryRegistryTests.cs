using Canary.Contracts.Telemetry;
using Canary.Sidecar.Telemetry.Recording;

namespace Canary.Sidecar.UnitTests.Telemetry;

public class TelemetryRegistryTests
{
    [Fact]
    public void EnsureArm_SameKeyTwice_ReturnsSameArm()
    {
        var registry = new TelemetryRegistry();
        var first = registry.EnsureArm("model-a", "canary");
        var second = registry.EnsureArm("model-a", "canary");
        var other = registry.EnsureArm("model-a", "stable");

        Assert.Same(first, second);
        Assert.NotSame(first, other);
        Assert.Equal(2, registry.Arms.Count);
    }

    [Fact]
    public void HistogramBytes_ArmsWithoutTraffic_NothingUntilEachMetricsFirstValue()
    {
        var registry = new TelemetryRegistry();
        var first = registry.EnsureArm("model-a", "canary");
        registry.EnsureArm("model-a", "stable");
        Assert.Equal(0, registry.HistogramBytes);

        first.RecordDuration(1500);
        Assert.Equal(RecorderMemory.RecorderBytes(TelemetryMetric.DurationUs, CoreStripes.Count), registry.HistogramBytes);

        foreach (var metric in Enum.GetValues<TelemetryMetric>())
        {
            first.Record(metric, 1);
        }

        Assert.Equal(RecorderMemory.BytesPerArm + RecorderMemory.StripeBytesPerArm(CoreStripes.Count), registry.HistogramBytes);
    }

    [Fact]
    public void Arms_ManyAdded_CreationOrderAndAViewTakenEarlierUnchanged()
    {
        var registry = new TelemetryRegistry();
        registry.EnsureArm("rollout-0", "stable");
        var early = registry.Arms;
        for (var i = 1; i < 10_000; i++)
        {
            registry.EnsureArm("rollout-" + i, "stable");
        }

        Assert.Single(early);
        Assert.Equal(10_000, registry.Arms.Count);
        for (var i = 0; i < registry.Arms.Count; i++)
        {
            Assert.Equal("rollout-" + i, registry.Arms[i].RouteKey);
        }
    }

    [Fact]
    public void TryGetArm_KnownAndUnknown_FindsOnlyKnownWithoutAllocating()
    {
        var registry = new TelemetryRegistry();
        var arm = registry.EnsureArm("model-a", "canary");
        var routeKey = new string("model-a".AsSpan());
        var found = registry.TryGetArm(routeKey, "canary", out var looked);
        var missing = registry.TryGetArm("model-b", "canary", out _);

        Assert.True(found);
        Assert.Same(arm, looked);
        Assert.False(missing);
        AllocationAssert.None(() =>
        {
            registry.TryGetArm(routeKey, "canary", out _);
            registry.TryGetArm("model-b", "canary", out _);
        });
    }

    [Fact]
    public void EnsureArm_ConcurrentCallers_OneArmPerKey()
    {
        var registry = new TelemetryRegistry();
        Parallel.For(0, 1000, i => registry.EnsureArm("rollout-" + (i % 10), (i / 10) % 2 == 0 ? "stable" : "canary"));

        Assert.Equal(20, registry.Arms.Count);
        Assert.Equal(20, registry.Arms.Select(a => (a.RouteKey, a.Subset)).Distinct().Count());
    }
}
