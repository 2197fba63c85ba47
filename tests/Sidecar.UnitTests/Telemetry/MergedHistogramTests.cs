using Canary.Contracts.Telemetry;
using Canary.Sidecar.Telemetry.Recording;

namespace Canary.Sidecar.UnitTests.Telemetry;

public class MergedHistogramTests
{
    private static readonly HistogramLayout Layout = new(600_000_000, 2);

    [Fact]
    public void Add_IntervalsFromSeveralRecorders_EqualsOneHistogramOfAllValues()
    {
        var random = new Random(99);
        var all = new IntervalRecorder(Layout);
        var parts = new[] { new IntervalRecorder(Layout), new IntervalRecorder(Layout), new IntervalRecorder(Layout) };
        var merged = new MergedHistogram(Layout);
        var buffer = new byte[HistogramCodec.MaxEncodedLength(Layout)];
        for (var interval = 0; interval < 4; interval++)
        {
            for (var i = 0; i < 10_000; i++)
            {
                var value = (long)Math.Pow(600_000_000, random.NextDouble());
                all.Record(value);
                parts[random.Next(parts.Length)].Record(value);
            }

            foreach (var part in parts)
            {
                merged.Add(buffer.AsSpan(0, part.TakeInterval().Encode(buffer)));
            }
        }

        var expected = new MergedHistogram(Layout);
        var allInterval = all.TakeInterval();
        expected.Add(buffer.AsSpan(0, allInterval.Encode(buffer)));

        Assert.Equal(expected.Counts.ToArray(), merged.Counts.ToArray());
        Assert.Equal(40_000, merged.TotalCount);
        Assert.Equal(expected.Sum, merged.Sum);
        Assert.Equal(expected.Min, merged.Min);
        Assert.Equal(expected.Max, merged.Max);
    }

    [Fact]
    public void ValueAtQuantile_RandomValues_WithinResolutionOfExactOrderStatistic()
    {
        var random = new Random(5);
        var recorder = new IntervalRecorder(Layout);
        var values = new long[20_001];
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = 1 + (long)Math.Pow(1_000_000, random.NextDouble());
            recorder.Record(values[i]);
        }

        Array.Sort(values);
        var merged = new MergedHistogram(Layout);
        var buffer = new byte[HistogramCodec.MaxEncodedLength(Layout)];
        merged.Add(buffer.AsSpan(0, recorder.TakeInterval().Encode(buffer)));

        foreach (var q in new[] { 0.0, 0.01, 0.5, 0.9, 0.95, 0.99, 0.999, 1.0 })
        {
            var rank = Math.Max(1, (long)Math.Ceiling((decimal)q * values.Length));
            var exact = values[rank - 1];
            var estimate = merged.ValueAtQuantile(q);
            Assert.Equal(Layout.IndexOf(exact), Layout.IndexOf(estimate));
            Assert.InRange(estimate, exact, exact + (exact / 64) + 1);
        }

        Assert.Equal(values[0], merged.ValueAtQuantile(0));
        Assert.Equal(values[^1], merged.ValueAtQuantile(1));
    }

    [Fact]
    public void ValueAtQuantile_OneHundredValues_P99IsNinetyNinthValue()
    {
        var recorder = new IntervalRecorder(Layout);
        for (var v = 1; v <= 100; v++)
        {
            recorder.Record(v);
        }

        var merged = new MergedHistogram(Layout);
        var buffer = new byte[HistogramCodec.MaxEncodedLength(Layout)];
        merged.Add(buffer.AsSpan(0, recorder.TakeInterval().Encode(buffer)));

        Assert.Equal(99, merged.ValueAtQuantile(0.99));
        Assert.Equal(50, merged.ValueAtQuantile(0.5));
        Assert.Equal(50.5, merged.Mean);
    }

    [Fact]
    public void Add_DifferentLayout_ThrowsAndKeepsState()
    {
        var other = new HistogramLayout(1000, 2);
        var recorder = new IntervalRecorder(other);
        recorder.Record(7);
        var buffer = new byte[HistogramCodec.MaxEncodedLength(other)];
        var length = recorder.TakeInterval().Encode(buffer);
        var merged = new MergedHistogram(Layout);

        Assert.Throws<HistogramLayoutMismatchException>(() => merged.Add(buffer.AsSpan(0, length)));
        Assert.Equal(0, merged.TotalCount);
    }

    [Fact]
    public void ValueAtQuantile_Empty_ReturnsZero()
    {
        Assert.Equal(0, new MergedHistogram(Layout).ValueAtQuantile(0.99));
    }
}
