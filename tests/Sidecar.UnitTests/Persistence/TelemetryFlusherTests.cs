using Canary.Contracts.Telemetry;
using Canary.Sidecar.Persistence;
using Canary.Sidecar.Telemetry.Recording;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Npgsql;

namespace Canary.Sidecar.UnitTests.Persistence;

public class TelemetryFlusherTests
{
    [Fact]
    public async Task CollectInterval_QueueFullWhileDatabaseUnavailable_DropsOldestAndCountsEveryInterval()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
        var registry = new TelemetryRegistry();
        var arm = registry.EnsureArm("model-a", "canary");
        var status = new PersistenceStatus();
        var options = new PersistenceOptions { SidecarId = "s1", FlushInterval = TimeSpan.FromSeconds(10), QueueDuration = TimeSpan.FromSeconds(20) };

        // Never opened: the flusher is not started, so nothing drains the queue, exactly as during an outage.
        await using var dataSource = new NpgsqlSlimDataSourceBuilder("Host=127.0.0.1;Port=1").Build();
        var flusher = new TelemetryFlusher(registry, dataSource, Options.Create(options), status, time, NullLogger<TelemetryFlusher>.Instance);

        for (var i = 0; i < 5; i++)
        {
            arm.CountRequest();
            arm.RecordDuration(1000 + i);
            time.Advance(TimeSpan.FromSeconds(10));
            Assert.True(flusher.CollectInterval());
        }

        time.Advance(TimeSpan.FromSeconds(10));
        Assert.False(flusher.CollectInterval());

        Assert.Equal(2, options.MaxQueuedIntervals);
        Assert.Equal(5, status.IntervalsCollected);
        Assert.Equal(3, status.IntervalsDropped);
        Assert.Equal(6, status.RowsDropped);
        Assert.Equal(2, status.QueueDepth);

        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();
        await flusher.StopAsync(cancelled.Token);

        Assert.Equal(2, status.IntervalsLostAtShutdown);
        Assert.Equal(0, status.QueueDepth);
        Assert.Equal(status.IntervalsCollected, status.IntervalsWritten + status.IntervalsDropped + status.IntervalsLostAtShutdown);
    }

    [Fact]
    public void Validate_BadOptions_ReportsEveryError()
    {
        var result = new PersistenceOptionsValidator().Validate(null, new PersistenceOptions
        {
            SidecarId = " ",
            FlushInterval = TimeSpan.FromMilliseconds(1),
            QueueDuration = TimeSpan.FromSeconds(1),
            InitialRetryDelay = TimeSpan.Zero,
        });

        Assert.True(result.Failed);
        Assert.Equal(3, result.Failures!.Count());
    }

    [Fact]
    public async Task CollectInterval_IdleArmsHandedBack_MemoryReturnedAtMostOncePerIdleTimeout()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
        var registry = new TelemetryRegistry();
        var status = new PersistenceStatus();
        var options = new PersistenceOptions { SidecarId = "s1", FlushInterval = TimeSpan.FromSeconds(10), ArmIdleTimeout = TimeSpan.FromSeconds(40) };
        await using var dataSource = new NpgsqlSlimDataSourceBuilder("Host=127.0.0.1;Port=1").Build();
        var flusher = new TelemetryFlusher(registry, dataSource, Options.Create(options), status, time, NullLogger<TelemetryFlusher>.Instance);

        void Traffic(int firstRollout)
        {
            // Ten rollouts with traffic, both arms: about 5 MB of recorders, more than one collection's worth.
            for (var r = firstRollout; r < firstRollout + 10; r++)
            {
                foreach (var subset in new[] { "stable", "canary" })
                {
                    var arm = registry.EnsureArm($"model-{r}", subset);
                    arm.CountRequest();
                    for (var m = 0; m < TelemetryNames.MetricCount; m++)
                    {
                        arm.Record((TelemetryMetric)m, 10);
                    }
                }
            }
        }

        void Interval()
        {
            time.Advance(TimeSpan.FromSeconds(10));
            flusher.CollectInterval();
        }

        // One set of rollouts active in the interval ending at 10 s, another in the one ending at 20 s; each is handed
        // back once idle for the 40 s timeout: at 50 s with a collection, at 60 s without (10 s after that one).
        Traffic(0);
        Interval();
        Traffic(10);
        for (var i = 0; i < 3; i++)
        {
            Interval();
        }

        Assert.Equal(0, status.ArmsHandedBack);
        Interval();
        Assert.Equal(20, status.ArmsHandedBack);
        Assert.Equal(1, status.CollectionsAfterHandBack);
        Interval();
        Assert.Equal(40, status.ArmsHandedBack);
        Assert.Equal(1, status.CollectionsAfterHandBack);
        Assert.Equal(0, registry.HistogramBytes);

        // A third set, active at 70 s and handed back at 110 s, a whole idle timeout after the first collection.
        Traffic(20);
        for (var i = 0; i < 5; i++)
        {
            Interval();
        }

        Assert.Equal(60, status.ArmsHandedBack);
        Assert.Equal(2, status.CollectionsAfterHandBack);
    }
}
