using Canary.Contracts.Telemetry;
using Canary.Sidecar.Telemetry.Recording;

namespace Canary.Sidecar.UnitTests.Telemetry;

public class IntervalRecorderTests
{
    private static readonly HistogramLayout Layout = new(10_000_000, 2);

    [Fact]
    public void TakeInterval_ConcurrentWriters_IntervalsAddUpToEverythingRecorded()
    {
        const int Threads = 4;
        const int PerThread = 250_000;
        var recorder = new IntervalRecorder(Layout);
        var totals = new long[Layout.CountsLength];
        long count = 0, sum = 0, intervals = 0;
        long min = long.MaxValue, max = long.MinValue;

        void Drain()
        {
            var interval = recorder.TakeInterval();
            var counts = interval.Counts;
            for (var i = 0; i < counts.Length; i++)
            {
                totals[i] += counts[i];
            }

            var intervalCount = interval.TotalCount();
            count += intervalCount;
            sum += interval.Sum;
            if (intervalCount > 0)
            {
                min = Math.Min(min, interval.Min);
                max = Math.Max(max, interval.Max);
            }

            intervals++;
        }

        using var start = new Barrier(Threads + 1);
        var writers = new Thread[Threads];
        for (var t = 0; t < Threads; t++)
        {
            var seed = t;
            writers[t] = new Thread(() =>
            {
                start.SignalAndWait();
                for (var i = 0; i < PerThread; i++)
                {
                    recorder.Record(Value(seed, i));
                }
            });
            writers[t].Start();
        }

        start.SignalAndWait();
        while (Array.Exists(writers, w => w.IsAlive))
        {
            Drain();
        }

        Drain();
        Drain();

        var expected = new long[Layout.CountsLength];
        long expectedSum = 0, expectedMin = long.MaxValue, expectedMax = 0;
        for (var t = 0; t < Threads; t++)
        {
            for (var i = 0; i < PerThread; i++)
            {
                var value = Value(t, i);
                expected[Layout.IndexOf(value)]++;
                expectedSum += value;
                expectedMin = Math.Min(expectedMin, value);
                expectedMax = Math.Max(expectedMax, value);
            }
        }

        Assert.Equal(expected, totals);
        Assert.Equal((long)Threads * PerThread, count);
        Assert.Equal(expectedSum, sum);
        Assert.Equal(expectedMin, min);
        Assert.Equal(expectedMax, max);
        Assert.True(intervals > 2);
    }

    [Fact]
    public void TakeInterval_Twice_SecondIntervalHoldsOnlyNewValues()
    {
        var recorder = new IntervalRecorder(Layout);
        recorder.Record(5);
        recorder.Record(7);
        var first = recorder.TakeInterval();
        Assert.Equal(2, first.TotalCount());
        Assert.Equal(12, first.Sum);
        Assert.Equal(5, first.Min);
        Assert.Equal(7, first.Max);

        recorder.Record(1000);
        var second = recorder.TakeInterval();
        Assert.Equal(1, second.TotalCount());
        Assert.Equal(1000, second.Sum);
        Assert.Equal(1000, second.Min);

        var third = recorder.TakeInterval();
        Assert.Equal(0, third.TotalCount());
        Assert.Equal(0, third.Min);
        Assert.Equal(0, third.Max);
    }

    [Fact]
    public void Record_OutOfRange_ClampedAndCounted()
    {
        var recorder = new IntervalRecorder(Layout);
        recorder.Record(-5);
        recorder.Record(20_000_000);
        recorder.Record(10_000_000);

        var interval = recorder.TakeInterval();

        Assert.Equal(2, interval.Clamped);
        Assert.Equal(3, interval.TotalCount());
        Assert.Equal(0, interval.Min);
        Assert.Equal(10_000_000, interval.Max);
        Assert.Equal(20_000_000, interval.Sum);
    }

    [Fact]
    public void Record_WarmRecorder_AllocatesNothing()
    {
        var recorder = new IntervalRecorder(Layout);
        for (var i = 0; i < 100_000; i++)
        {
            recorder.Record(i);
        }

        recorder.TakeInterval();
        recorder.TakeInterval();

        AllocationAssert.None(() =>
        {
            for (var i = 0; i < 100_000; i++)
            {
                recorder.Record(i);
            }
        });
    }

    // Deterministic spread over [1, 10^7): multiplicative hashing of (thread, i).
    private static long Value(int thread, int i) => 1 + (long)(((ulong)((thread * 1_000_003L) + i) * 11400714819323198485UL) % 9_999_999UL);
}
