using Canary.Contracts.Telemetry;
using Canary.Sidecar.Telemetry.Recording;

namespace Canary.Sidecar.UnitTests.Telemetry;

public class HistogramCodecTests
{
    private static readonly HistogramLayout Layout = new(3_600_000_000, 2);

    [Fact]
    public void Encode_RecordedInterval_DecodesToSameCountsAndHeader()
    {
        var recorder = new IntervalRecorder(Layout);
        var random = new Random(42);
        var expected = new long[Layout.CountsLength];
        long sum = 0, min = long.MaxValue, max = 0;
        for (var i = 0; i < 50_000; i++)
        {
            var value = (long)Math.Pow(3_600_000_000, random.NextDouble());
            recorder.Record(value);
            expected[Layout.IndexOf(value)]++;
            sum += value;
            min = Math.Min(min, value);
            max = Math.Max(max, value);
        }

        var interval = recorder.TakeInterval();
        var buffer = new byte[HistogramCodec.MaxEncodedLength(Layout)];
        var length = interval.Encode(buffer);

        var counts = new long[Layout.CountsLength];
        var header = HistogramCodec.DecodeAdd(buffer.AsSpan(0, length), Layout, counts);

        Assert.Equal(expected, counts);
        Assert.Equal(new EncodedHistogramHeader(Layout.HighestTrackableValue, 2, 50_000, sum, min, max, header.NonEmptySlots), header);
        Assert.Equal(header, HistogramCodec.ReadHeader(buffer.AsSpan(0, length)));
    }

    [Fact]
    public void Encode_EmptyInterval_DecodesToZero()
    {
        var interval = new IntervalRecorder(Layout).TakeInterval();
        var buffer = new byte[HistogramCodec.MaxEncodedLength(Layout)];
        var length = interval.Encode(buffer);
        var counts = new long[Layout.CountsLength];

        var header = HistogramCodec.DecodeAdd(buffer.AsSpan(0, length), Layout, counts);

        Assert.Equal(0, header.TotalCount);
        Assert.All(counts, c => Assert.Equal(0, c));
        Assert.True(length < 16, $"empty encoding took {length} bytes");
    }

    [Fact]
    public void Encode_LongCounts_RoundTripsHugeCounts()
    {
        var counts = new long[Layout.CountsLength];
        counts[0] = 1;
        counts[500] = 5_000_000_000;
        counts[^1] = long.MaxValue / 4;
        var buffer = new byte[HistogramCodec.MaxEncodedLength(Layout)];
        var length = HistogramCodec.Encode(Layout, counts, 123, 0, Layout.HighestEquivalentValue(counts.Length - 1), buffer);

        var decoded = new long[Layout.CountsLength];
        var header = HistogramCodec.DecodeAdd(buffer.AsSpan(0, length), Layout, decoded);

        Assert.Equal(counts, decoded);
        Assert.Equal(1 + 5_000_000_000 + (long.MaxValue / 4), header.TotalCount);
        Assert.Equal(3, header.NonEmptySlots);
    }

    [Fact]
    public void DecodeAdd_OtherLayout_ThrowsClearError()
    {
        var other = new HistogramLayout(10_000_000, 2);
        var recorder = new IntervalRecorder(other);
        recorder.Record(5);
        var buffer = new byte[HistogramCodec.MaxEncodedLength(other)];
        var length = recorder.TakeInterval().Encode(buffer);

        var error = Assert.Throws<HistogramLayoutMismatchException>(
            () => HistogramCodec.DecodeAdd(buffer.AsSpan(0, length), Layout, new long[Layout.CountsLength]));
        Assert.Contains("10000000", error.Message, StringComparison.Ordinal);
        Assert.Contains("3600000000", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void DecodeAdd_EveryTruncation_ThrowsAndAddsNothing()
    {
        var recorder = new IntervalRecorder(Layout);
        for (var v = 1L; v < 3_600_000_000; v *= 3)
        {
            recorder.Record(v);
        }

        var buffer = new byte[HistogramCodec.MaxEncodedLength(Layout)];
        var length = recorder.TakeInterval().Encode(buffer);
        var counts = new long[Layout.CountsLength];
        for (var cut = 0; cut < length; cut++)
        {
            Assert.ThrowsAny<InvalidDataException>(() => HistogramCodec.DecodeAdd(buffer.AsSpan(0, cut), Layout, counts));
            Assert.All(counts, c => Assert.Equal(0, c));
        }
    }

    [Fact]
    public void DecodeAdd_CorruptBytes_NeverCrashesOrAddsWrongCounts()
    {
        var recorder = new IntervalRecorder(Layout);
        recorder.Record(10);
        recorder.Record(1000);
        recorder.Record(100_000);
        var buffer = new byte[HistogramCodec.MaxEncodedLength(Layout)];
        var length = recorder.TakeInterval().Encode(buffer);
        var random = new Random(7);
        for (var i = 0; i < 5000; i++)
        {
            var corrupt = buffer.AsSpan(0, length).ToArray();
            corrupt[random.Next(length)] = (byte)random.Next(256);
            var counts = new long[Layout.CountsLength];
            try
            {
                var header = HistogramCodec.DecodeAdd(corrupt, Layout, counts);
                long total = 0;
                foreach (var c in counts)
                {
                    total += c;
                }

                Assert.Equal(header.TotalCount, total);
            }
            catch (InvalidDataException)
            {
                Assert.All(counts, c => Assert.Equal(0, c));
            }
            catch (HistogramLayoutMismatchException)
            {
                Assert.All(counts, c => Assert.Equal(0, c));
            }
        }
    }

    [Fact]
    public void DecodeAdd_UnknownVersion_Throws()
    {
        byte[] encoded = [2, 1, 2, 0, 0, 0, 0, 0];
        var error = Assert.Throws<InvalidDataException>(() => HistogramCodec.ReadHeader(encoded));
        Assert.Contains("version 2", error.Message, StringComparison.Ordinal);
    }
}
