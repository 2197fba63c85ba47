using Canary.Contracts.Telemetry;

namespace Canary.Sidecar.UnitTests.Telemetry;

public class HistogramLayoutTests
{
    [Fact]
    public void IndexOf_EveryValueUpToOneMillion_MatchesBruteForceSlots()
    {
        var layout = new HistogramLayout(1_000_000, 2);

        // Brute force: walk values upwards, opening a new slot whenever the current one is full. Slots are unit-wide
        // below SubBucketCount and then double in width every SubBucketCount/2 slots.
        var expectedIndex = 0;
        long slotStart = 0;
        long width = 1;
        var half = layout.SubBucketCount / 2;
        for (long value = 0; value <= layout.HighestTrackableValue; value++)
        {
            if (value - slotStart == width)
            {
                expectedIndex++;
                slotStart = value;
                if (expectedIndex >= layout.SubBucketCount && (expectedIndex - layout.SubBucketCount) % half == 0)
                {
                    width *= 2;
                }
            }

            var index = layout.IndexOf(value);
            Assert.Equal(expectedIndex, index);
            Assert.Equal(slotStart, layout.LowestEquivalentValue(index));
            Assert.Equal(slotStart + width - 1, layout.HighestEquivalentValue(index));
        }
    }

    [Theory]
    [InlineData(3_600_000_000L, 2)]
    [InlineData(10_000_000L, 2)]
    [InlineData(1L << 30, 2)]
    [InlineData(HistogramLayout.MaxHighestTrackableValue, 3)]
    public void IndexOf_SampledValues_WithinSlotAndResolution(long highest, int digits)
    {
        var layout = new HistogramLayout(highest, digits);
        var random = new Random(1234);
        var maxRelativeWidth = 2.0 / layout.SubBucketCount;
        for (var i = 0; i < 200_000; i++)
        {
            var value = i < 1000 ? highest - i : (long)(Math.Pow(highest, random.NextDouble()) - 1);
            var index = layout.IndexOf(value);
            Assert.InRange(index, 0, layout.CountsLength - 1);
            var low = layout.LowestEquivalentValue(index);
            var high = layout.HighestEquivalentValue(index);
            Assert.InRange(value, low, high);
            if (low >= layout.SubBucketCount)
            {
                Assert.True((double)(high - low + 1) / low <= maxRelativeWidth, $"slot [{low}, {high}] wider than the resolution");
            }
        }
    }

    [Fact]
    public void HighestEquivalentValue_ConsecutiveIndexes_AreContiguous()
    {
        var layout = new HistogramLayout(3_600_000_000, 2);
        var last = layout.IndexOf(layout.HighestTrackableValue);
        for (var i = 0; i < last; i++)
        {
            Assert.Equal(layout.HighestEquivalentValue(i) + 1, layout.LowestEquivalentValue(i + 1));
        }
    }

    [Theory]
    [InlineData(3_600_000_000L, 3, 23_552)] // HdrHistogram: 1 µs..1 h at 3 digits, 188 KB of long counters.
    [InlineData(3_600_000_000L, 2, 3_328)]
    [InlineData(10_000_000L, 2, 2_304)]
    [InlineData(255L, 2, 256)]
    [InlineData(256L, 2, 384)]
    public void CountsLength_KnownLayouts_MatchesHdrHistogram(long highest, int digits, int expected)
    {
        Assert.Equal(expected, new HistogramLayout(highest, digits).CountsLength);
    }

    [Fact]
    public void Equals_SameParameters_EqualAndDifferentOtherwise()
    {
        Assert.Equal(new HistogramLayout(1000, 2), new HistogramLayout(1000, 2));
        Assert.NotEqual(new HistogramLayout(1000, 2), new HistogramLayout(1000, 3));
        Assert.NotEqual(new HistogramLayout(1000, 2), new HistogramLayout(1001, 2));
    }

    [Theory]
    [InlineData(1L, 2)]
    [InlineData(1000L, 0)]
    [InlineData(1000L, 6)]
    [InlineData(long.MaxValue, 2)]
    public void Constructor_InvalidParameters_Throws(long highest, int digits)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new HistogramLayout(highest, digits));
    }
}
