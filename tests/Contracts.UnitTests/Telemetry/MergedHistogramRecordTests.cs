using Canary.Contracts.Telemetry;

namespace Canary.Contracts.UnitTests.Telemetry;

public sealed class MergedHistogramRecordTests
{
    [Fact]
    public void Encode_RecordedValues_DecodesToTheSameHistogram()
    {
        var layout = TelemetryLayouts.For(TelemetryMetric.OutputTokens);
        var recorded = new MergedHistogram(layout);
        var random = new Random(7);
        for (var i = 0; i < 5000; i++)
        {
            recorded.Record(random.Next(1, 100_000));
        }

        var decoded = new MergedHistogram(layout);
        decoded.Add(recorded.Encode());

        Assert.Equal(recorded.Counts.ToArray(), decoded.Counts.ToArray());
        Assert.Equal((recorded.TotalCount, recorded.Sum, recorded.Min, recorded.Max), (decoded.TotalCount, decoded.Sum, decoded.Min, decoded.Max));
    }

    [Fact]
    public void Record_OutOfRange_CountedAtTheNearestBound()
    {
        var layout = TelemetryLayouts.For(TelemetryMetric.OutputTokens);
        var histogram = new MergedHistogram(layout);

        histogram.Record(-5);
        histogram.Record(layout.HighestTrackableValue + 1);

        Assert.Equal(2, histogram.TotalCount);
        Assert.Equal((0L, layout.HighestTrackableValue), (histogram.Min, histogram.Max));
        Assert.Equal(layout.HighestTrackableValue, histogram.Sum);
    }

    [Fact]
    public void Encode_Empty_DecodesToZero()
    {
        var layout = TelemetryLayouts.For(TelemetryMetric.DurationUs);
        var header = HistogramCodec.ReadHeader(new MergedHistogram(layout).Encode());

        Assert.Equal((0L, 0L, 0L, 0L, 0), (header.TotalCount, header.Sum, header.Min, header.Max, header.NonEmptySlots));
    }
}
