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
}
