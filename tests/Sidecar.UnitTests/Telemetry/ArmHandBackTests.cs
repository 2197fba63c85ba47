using Canary.Contracts.Telemetry;
using Canary.Sidecar.Persistence;
using Canary.Sidecar.Telemetry.Recording;

namespace Canary.Sidecar.UnitTests.Telemetry;

/// <summary>
/// An idle arm hands its recorders back: its last interval is written once, nothing recorded around the hand-back is
/// lost or counted twice, and the next request takes new recorders.
/// </summary>
public sealed class ArmHandBackTests
{
    private static readonly DateTime Start = new(2026, 1, 2, 3, 0, 0, DateTimeKind.Utc);
    private static readonly HistogramLayout Layout = new(10_000_000, 2);

    [Fact]
    public void Retire_AfterValues_ReturnsTheLastIntervalAndRefusesLaterValues()
    {
        var recorder = new IntervalRecorder(Layout);
        recorder.Record(5);
        Assert.Equal(1, recorder.TakeInterval().TotalCount());
        recorder.Record(7);
        recorder.Record(9);

        var last = recorder.Retire();

        Assert.Equal(2, last.TotalCount());
        Assert.Equal(16, last.Sum);
        Assert.True(recorder.IsRetired);
        Assert.False(recorder.TryRecord(11));
        Assert.Throws<InvalidOperationException>(() => recorder.Record(11));
        Assert.Throws<InvalidOperationException>(() => recorder.TakeInterval());
        Assert.Throws<InvalidOperationException>(() => recorder.Retire());
        Assert.Equal(2, last.TotalCount());
    }

    [Fact]
    public void HandBackRecorder_ThenRecord_NewRecorderHoldsOnlyNewValues()
    {
        var arm = new ArmTelemetry("chat", "canary");
        arm.RecordDuration(100);
        var first = arm.RecorderIfCreated(TelemetryMetric.DurationUs);

        var last = arm.HandBackRecorder(TelemetryMetric.DurationUs);

        Assert.Equal(1, last!.TotalCount());
        Assert.Null(arm.RecorderIfCreated(TelemetryMetric.DurationUs));
        Assert.False(arm.HoldsRecorders);
        Assert.Equal(0, arm.HistogramBytes);
        Assert.Null(arm.HandBackRecorder(TelemetryMetric.OutputTokens));

        arm.RecordDuration(200);

        var second = arm.RecorderIfCreated(TelemetryMetric.DurationUs);
        Assert.NotNull(second);
        Assert.NotSame(first, second);
        var interval = second.TakeInterval();
        Assert.Equal((1L, 200L), (interval.TotalCount(), interval.Sum));
    }

    [Fact]
    public void Record_IntoARecorderRetiredButStillInItsSlot_GoesToANewRecorder()
    {
        // The moment between the flusher retiring a recorder and clearing its slot: a request must not lose its value.
        var arm = new ArmTelemetry("chat", "canary");
        arm.RecordDuration(100);
        var retired = arm.RecorderIfCreated(TelemetryMetric.DurationUs)!;
        Assert.Equal(1, retired.Retire().TotalCount());

        arm.RecordDuration(300);

        var current = arm.RecorderIfCreated(TelemetryMetric.DurationUs)!;
        Assert.NotSame(retired, current);
        Assert.Equal(300, current.TakeInterval().Sum);
    }

    [Fact]
    public void Collect_ArmIdleForTheTimeout_HandsBackAfterWritingItsValuesOnce()
    {
        var registry = new TelemetryRegistry();
        var idle = registry.EnsureArm("quiet", "canary");
        var busy = registry.EnsureArm("busy", "canary");
        var collector = new TelemetryCollector(registry, "sidecar-a", TimeSpan.FromSeconds(30));
        idle.CountRequest();
        idle.RecordDuration(1_000);

        var rows = new List<(string Rollout, string Metric, long Count)>();
        for (var i = 0; i < 6; i++)
        {
            busy.CountRequest();
            busy.RecordDuration(2_000);
            var batch = collector.Collect(Start.AddSeconds(10 * i), 10_000);
            rows.AddRange(batch.Histograms.Select(h => (h.Rollout, h.Metric, h.Count)));
            Assert.Equal(i < 3, idle.HoldsRecorders);
            batch.Release();
        }

        // Active in the first interval (ending at 10 s), idle since: handed back at the collection ending at 40 s.
        Assert.Equal(1, collector.ArmsHandedBack);
        Assert.Equal(1, rows.Where(r => r.Rollout == "quiet").Sum(r => r.Count));
        Assert.Equal(6, rows.Where(r => r.Rollout == "busy").Sum(r => r.Count));
        Assert.True(busy.HoldsRecorders);
        Assert.Equal(0, idle.HistogramBytes);
        Assert.Equal(1, idle.Read(TelemetryCounter.Requests));

        // Traffic comes back: new recorders, and the arm is active again.
        idle.RecordDuration(5_000);
        var again = collector.Collect(Start.AddSeconds(60), 10_000);
        Assert.Equal(5_000, Assert.Single(again.Histograms, h => h.Rollout == "quiet").Sum);
        again.Release();
        Assert.True(idle.HoldsRecorders);
    }

    [Fact]
    public async Task HandBack_WhileRecording_EveryValueWrittenExactlyOnce()
    {
        // Writers record continuously while the collector thread alternates taking an interval and handing the
        // recorder back. HandBackRecorder itself must lose nothing and count nothing twice, whatever the timing of the
        // writers around it; writers go on until at least MinHandBacks hand-backs happened while they were recording.
        const int Threads = 4;
        const int MinValues = 50_000;
        const int MinHandBacks = 200;
        var arm = new ArmTelemetry("chat", "canary");
        long taken = 0, takenSum = 0, handBacks = 0;
        void Take(bool handBack)
        {
            var recorder = arm.RecorderIfCreated(TelemetryMetric.DurationUs);
            var interval = handBack ? arm.HandBackRecorder(TelemetryMetric.DurationUs) : recorder?.TakeInterval();
            if (interval is not null)
            {
                taken += interval.TotalCount();
                takenSum += interval.Sum;
                if (handBack)
                {
                    Interlocked.Increment(ref handBacks);
                }
            }
        }

        var recorded = new long[Threads];
        var recordedSum = new long[Threads];
        using var start = new Barrier(Threads + 1);
        var writers = new Task[Threads];
        for (var t = 0; t < Threads; t++)
        {
            var writer = t;
            writers[t] = Task.Factory.StartNew(
                () =>
                {
                    start.SignalAndWait();
                    long i = 0;
                    while (i < MinValues || Interlocked.Read(ref handBacks) < MinHandBacks)
                    {
                        i++;
                        arm.RecordDuration(i % 1_000_000);
                        recordedSum[writer] += i % 1_000_000;
                    }

                    recorded[writer] = i;
                },
                TaskCreationOptions.LongRunning);
        }

        start.SignalAndWait();
        var round = 0;
        while (!Array.TrueForAll(writers, w => w.IsCompleted))
        {
            Take(handBack: round++ % 2 == 0);
        }

        await Task.WhenAll(writers);
        Take(handBack: false);
        Take(handBack: true);

        Assert.Equal(recorded.Sum(), taken);
        Assert.Equal(recordedSum.Sum(), takenSum);
        Assert.True(handBacks >= MinHandBacks);
        Assert.Null(arm.RecorderIfCreated(TelemetryMetric.DurationUs));
    }

    [Fact]
    public void Validate_ArmIdleTimeoutShorterThanTheFlushInterval_Refused()
    {
        var result = new PersistenceOptionsValidator().Validate(null, new PersistenceOptions
        {
            FlushInterval = TimeSpan.FromSeconds(10),
            ArmIdleTimeout = TimeSpan.FromSeconds(5),
        });

        Assert.True(result.Failed);
        Assert.StartsWith("Canary:Telemetry:ArmIdleTimeout", Assert.Single(result.Failures!), StringComparison.Ordinal);
        Assert.False(new PersistenceOptionsValidator().Validate(null, new PersistenceOptions { ArmIdleTimeout = TimeSpan.FromDays(1) }).Failed);
        Assert.True(new PersistenceOptionsValidator().Validate(null, new PersistenceOptions { ArmIdleTimeout = TimeSpan.FromDays(2) }).Failed);
    }
}
