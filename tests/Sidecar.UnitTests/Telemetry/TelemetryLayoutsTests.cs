using Canary.Contracts.Telemetry;
using Canary.Sidecar.Telemetry.Recording;

namespace Canary.Sidecar.UnitTests.Telemetry;

public class TelemetryLayoutsTests
{
    [Fact]
    public void BytesPerArm_OneHundredRolloutsTwoSubsets_UnderSixtyFourMegabytes()
    {
        long slots = 0;
        foreach (var metric in Enum.GetValues<TelemetryMetric>())
        {
            slots += TelemetryLayouts.For(metric).CountsLength;
        }

        var perArm = slots * RecorderMemory.CounterSize * RecorderMemory.PhasesPerRecorder;
        var total = 100 * 2 * perArm;

        Assert.Equal(29_568, slots);
        Assert.Equal(236_544, RecorderMemory.BytesPerArm);
        Assert.Equal(perArm, RecorderMemory.BytesPerArm);
        Assert.Equal(47_308_800, total);
        Assert.True(total < 64L * 1024 * 1024);
    }

    [Fact]
    public void StripeBytesPerArm_AtMostStripes_AllTogetherUnderSixtyFourMegabytes()
    {
        // 11 recorders × (phaser 9 × 128 B + 2 phases × (9 × 128 B + 128 B of slot padding)).
        Assert.Equal(40_832, RecorderMemory.StripeBytesPerArm(CoreStripes.MaxStripes));
        Assert.True(RecorderMemory.StripeBytesPerArm(CoreStripes.Count) <= RecorderMemory.StripeBytesPerArm(CoreStripes.MaxStripes));

        var total = 100 * 2 * (RecorderMemory.BytesPerArm + RecorderMemory.StripeBytesPerArm(CoreStripes.MaxStripes));
        Assert.Equal(55_475_200, total);
        Assert.True(total < 64_000_000);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(CoreStripes.MaxStripes)]
    public void RecorderBytes_AllMetrics_SumToOneArm(int stripes)
    {
        long total = 0;
        foreach (var metric in Enum.GetValues<TelemetryMetric>())
        {
            total += RecorderMemory.RecorderBytes(metric, stripes);
        }

        Assert.Equal(RecorderMemory.BytesPerArm + RecorderMemory.StripeBytesPerArm(stripes), total);
    }

    [Fact]
    public void CoreStripes_PowerOfTwoUpToTheCap_CurrentInRange()
    {
        Assert.InRange(CoreStripes.Count, 1, CoreStripes.MaxStripes);
        Assert.Equal(0, CoreStripes.Count & (CoreStripes.Count - 1));
        Assert.Equal(Math.Min(CoreStripes.MaxStripes, (int)System.Numerics.BitOperations.RoundUpToPowerOf2((uint)Environment.ProcessorCount)), CoreStripes.Count);
        Assert.InRange(CoreStripes.Current, 0, CoreStripes.Count - 1);
    }

    [Fact]
    public void For_EveryMetric_TwoSignificantDigits()
    {
        foreach (var metric in Enum.GetValues<TelemetryMetric>())
        {
            Assert.Equal(2, TelemetryLayouts.For(metric).SignificantDigits);
        }
    }

    [Fact]
    public void Names_EveryEnumMember_HasUniqueSnakeCaseName()
    {
        Assert.Equal(TelemetryNames.MetricCount, Enum.GetValues<TelemetryMetric>().Length);
        Assert.Equal(TelemetryNames.CounterCount, Enum.GetValues<TelemetryCounter>().Length);
        Assert.Equal(TelemetryNames.MetricCount, TelemetryNames.Metrics.Count);
        Assert.Equal(TelemetryNames.CounterCount, TelemetryNames.Counters.Count);
        Assert.Equal(TelemetryNames.Metrics.Count, TelemetryNames.Metrics.Distinct(StringComparer.Ordinal).Count());
        Assert.Equal(TelemetryNames.Counters.Count, TelemetryNames.Counters.Distinct(StringComparer.Ordinal).Count());
        foreach (var metric in Enum.GetValues<TelemetryMetric>())
        {
            Assert.True(TelemetryNames.TryParseMetric(TelemetryNames.Metric(metric), out var parsed));
            Assert.Equal(metric, parsed);
        }

        foreach (var counter in Enum.GetValues<TelemetryCounter>())
        {
            Assert.True(TelemetryNames.TryParseCounter(TelemetryNames.Counter(counter), out var parsed));
            Assert.Equal(counter, parsed);
        }

        Assert.Equal("status_429", TelemetryNames.Counter(TelemetryCounter.Status429));
        Assert.Equal("ttft_us", TelemetryNames.Metric(TelemetryMetric.TimeToFirstTokenUs));
        Assert.False(TelemetryNames.TryParseMetric("nope", out _));
    }

    [Fact]
    public void SchemaMigrations_EveryEmbeddedSqlFile_ListedInOrder()
    {
        var embedded = typeof(SchemaMigrations).Assembly.GetManifestResourceNames()
            .Where(n => n.StartsWith("Canary.Contracts.Telemetry.", StringComparison.Ordinal) && n.EndsWith(".sql", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal)
            .ToArray();
        var listed = SchemaMigrations.All.Select(m => m.ResourceName).Order(StringComparer.Ordinal).ToArray();

        Assert.Equal(embedded, listed);
        for (var i = 0; i < SchemaMigrations.All.Count; i++)
        {
            Assert.Equal(i + 1, SchemaMigrations.All[i].Version);
            Assert.False(string.IsNullOrWhiteSpace(SchemaMigrator.LoadSql(SchemaMigrations.All[i])));
        }
    }
}
