using Canary.Contracts.Telemetry;
using Canary.Sidecar.Telemetry;

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
        Assert.Equal(2 * (TelemetryLayouts.BytesPerArm + TelemetryLayouts.StripeBytesPerArm(CoreStripes.Count)), registry.HistogramBytes);
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
    }
}
