using Canary.Sidecar.Persistence;
using Canary.Sidecar.Telemetry.Recording;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Npgsql;

namespace Canary.IntegrationTests.Persistence;

/// <summary>Runs the real flusher against a private cluster that is stopped and restarted mid-run.</summary>
public class TelemetryFlusherOutageTests
{
    private static readonly DateTimeOffset Epoch = new(2026, 5, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(10);

    [PostgresClusterFact]
    public async Task Flusher_PostgresStoppedAndRestarted_EveryIntervalStoredExactlyOnce()
    {
        await using var cluster = await PostgresCluster.StartNewAsync();
        await using var run = new FlusherRun(cluster, queueDuration: TimeSpan.FromHours(1));
        await run.StartAsync();

        await run.RecordIntervalsAsync(4);
        await run.WaitAsync(() => run.Status.IntervalsWritten == 4, "healthy intervals written");

        await cluster.StopAsync();
        await run.RecordIntervalsAsync(6);
        await run.WaitAsync(() => run.Status.WriteFailures > 0, "a failed write during the outage");
        Assert.Equal(4, run.Status.IntervalsWritten);

        await cluster.StartAsync();
        await run.WaitAsync(() => run.Status.QueueDepth == 0, "queue drained after restart", advance: TimeSpan.FromSeconds(1));
        await run.RecordIntervalsAsync(2);

        // A partial interval that only the shutdown flush writes.
        run.RecordRequests(7);
        run.Time.Advance(TimeSpan.FromSeconds(3));
        await run.StopAsync();

        Assert.Equal(0, run.Status.IntervalsDropped);
        Assert.Equal(0, run.Status.IntervalsLostAtShutdown);
        Assert.Equal(13, run.Status.IntervalsCollected);
        Assert.Equal(13, run.Status.IntervalsWritten);
        await run.AssertStoredExactlyOnceAsync(expectedIntervals: 13);
    }

    [PostgresClusterFact]
    public async Task Flusher_OutageLongerThanQueue_DropsCountedIntervalsAndStoresTheRestOnce()
    {
        await using var cluster = await PostgresCluster.StartNewAsync();
        await using var run = new FlusherRun(cluster, queueDuration: TimeSpan.FromSeconds(30));
        await run.StartAsync();
        await run.RecordIntervalsAsync(2);
        await run.WaitAsync(() => run.Status.IntervalsWritten == 2, "healthy intervals written");

        await cluster.StopAsync();
        await run.RecordIntervalsAsync(1);
        await run.WaitAsync(() => run.Status.WriteFailures > 0, "a failed write during the outage");
        await run.RecordIntervalsAsync(7);

        // One interval is held by the retrying writer, three fit the queue, the rest were forced out.
        Assert.Equal(4, run.Status.IntervalsDropped);
        Assert.Equal(4, run.Status.QueueDepth);

        await cluster.StartAsync();
        await run.WaitAsync(() => run.Status.QueueDepth == 0, "queue drained after restart", advance: TimeSpan.FromSeconds(1));
        await run.StopAsync();

        Assert.Equal(10, run.Status.IntervalsCollected);
        Assert.Equal(6, run.Status.IntervalsWritten);
        await run.AssertStoredExactlyOnceAsync(expectedIntervals: 6);
    }

    private sealed class FlusherRun : IAsyncDisposable
    {
        private readonly NpgsqlDataSource _dataSource;
        private readonly TelemetryFlusher _flusher;
        private readonly ArmTelemetry _arm;
        private long _requests;
        private bool _stopped;

        public FlusherRun(PostgresCluster cluster, TimeSpan queueDuration)
        {
            Time = new FakeTimeProvider(Epoch);
            var registry = new TelemetryRegistry();
            _arm = registry.EnsureArm("model-a", "canary");
            _dataSource = new NpgsqlSlimDataSourceBuilder(cluster.ConnectionString).Build();
            var options = new PersistenceOptions
            {
                SidecarId = "sidecar-a",
                FlushInterval = Interval,
                QueueDuration = queueDuration,
                InitialRetryDelay = TimeSpan.FromSeconds(1),
                MaxRetryDelay = TimeSpan.FromSeconds(4),
            };
            _flusher = new TelemetryFlusher(registry, _dataSource, Options.Create(options), Status, Time, NullLogger<TelemetryFlusher>.Instance);
        }

        public FakeTimeProvider Time { get; }

        public PersistenceStatus Status { get; } = new();

        public Task StartAsync() => _flusher.StartAsync(CancellationToken.None);

        public void RecordRequests(int count)
        {
            for (var i = 0; i < count; i++)
            {
                _arm.CountRequest();
                _arm.RecordDuration(1000 + i);
            }

            _requests += count;
        }

        /// <summary>Records a distinct number of requests into each of <paramref name="count"/> intervals and closes them.</summary>
        public async Task RecordIntervalsAsync(int count)
        {
            for (var i = 0; i < count; i++)
            {
                RecordRequests(10 + (int)(Status.IntervalsCollected % 5));
                var collected = Status.IntervalsCollected;
                Time.Advance(Interval);
                await WaitAsync(() => Status.IntervalsCollected == collected + 1, "interval collected");
            }
        }

        /// <summary>
        /// Waits for <paramref name="condition"/>; with <paramref name="advance"/>, each look that finds it false moves
        /// the fake clock on by that step, which is what lets the writer's retry back-off run out. An interval with
        /// nothing in it is never collected, so how many steps that takes cannot change what the test counts.
        /// </summary>
        public Task WaitAsync(Func<bool> condition, string what, TimeSpan? advance = null) =>
            Eventually.UntilAsync(
                () =>
                {
                    if (condition())
                    {
                        return true;
                    }

                    if (advance is { } step)
                    {
                        Time.Advance(step);
                    }

                    return false;
                },
                what);

        public async Task StopAsync()
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            await _flusher.StopAsync(timeout.Token);
            _stopped = true;
        }

        /// <summary>Checks that each written interval is in the table once and the counts add up.</summary>
        public async Task AssertStoredExactlyOnceAsync(int expectedIntervals)
        {
            await using var command = _dataSource.CreateCommand(
                """
                SELECT count(*), count(DISTINCT interval_start), coalesce(sum(count), 0)::bigint,
                       (SELECT coalesce(sum(value), 0)::bigint FROM interval_counters WHERE counter = 'requests'),
                       (SELECT count(*) FROM interval_counters WHERE counter = 'requests')
                FROM interval_histograms WHERE metric = 'duration_us'
                """);
            await using var reader = await command.ExecuteReaderAsync();
            Assert.True(await reader.ReadAsync());
            var rows = reader.GetInt64(0);
            var distinct = reader.GetInt64(1);
            var values = reader.GetInt64(2);
            var requests = reader.GetInt64(3);
            var counterRows = reader.GetInt64(4);

            Assert.Equal(expectedIntervals, rows);
            Assert.Equal(expectedIntervals, distinct);
            Assert.Equal(expectedIntervals, counterRows);
            Assert.Equal(values, requests);
            if (Status.IntervalsDropped == 0)
            {
                Assert.Equal(_requests, values);
            }
            else
            {
                Assert.True(values < _requests);
            }
        }

        public async ValueTask DisposeAsync()
        {
            if (!_stopped)
            {
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
                await _flusher.StopAsync(timeout.Token);
            }

            _flusher.Dispose();
            await _dataSource.DisposeAsync();
        }
    }
}
