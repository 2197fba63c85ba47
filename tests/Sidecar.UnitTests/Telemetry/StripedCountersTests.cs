using Canary.Sidecar.Telemetry.Recording;


namespace Canary.Sidecar.UnitTests.Telemetry;

public class StripedCountersTests
{
    [Fact]
    public void Add_ConcurrentThreads_ReadIsTheExactTotalPerCounter()
    {
        const int Threads = 4;
        const int PerThread = 200_000;
        var counters = new StripedCounters(20);
        using var start = new Barrier(Threads);
        var writers = new Thread[Threads];
        for (var t = 0; t < Threads; t++)
        {
            writers[t] = new Thread(() =>
            {
                start.SignalAndWait();
                for (var i = 0; i < PerThread; i++)
                {
                    counters.Increment(i % 3);
                    counters.Add(19, 2);
                }
            });
            writers[t].Start();
        }

        foreach (var writer in writers)
        {
            writer.Join();
        }

        // 200,000 = 66,667 × (i % 3 == 0) + 66,667 × 1 + 66,666 × 2 per thread.
        Assert.Equal(Threads * 66_667L, counters.Read(0));
        Assert.Equal(Threads * 66_667L, counters.Read(1));
        Assert.Equal(Threads * 66_666L, counters.Read(2));
        Assert.Equal(Threads * PerThread * 2L, counters.Read(19));
        Assert.Equal(0, counters.Read(3));
    }

    [Fact]
    public void Add_OutsideTheSet_Throws()
    {
        var counters = new StripedCounters(3);

        Assert.Throws<ArgumentOutOfRangeException>(() => counters.Increment(3));
        Assert.Throws<ArgumentOutOfRangeException>(() => counters.Add(-1, 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => counters.Read(3));
        Assert.Throws<ArgumentOutOfRangeException>(() => new StripedCounters(0));
    }
}
