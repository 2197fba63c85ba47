using Canary.Contracts.Telemetry;
using Canary.Sidecar.Telemetry.Recording;

namespace Canary.Sidecar.UnitTests.Telemetry;

/// <summary>
/// The per-user-group recorders of a comparison arm: every value and event lands in the group of its request's bucket,
/// the groups of a taken interval add up to its totals, concurrent recording around interval swaps counts everything
/// exactly once, and recording stays allocation-free.
/// </summary>
public sealed class UserGroupRecordingTests
{
    private static readonly HistogramLayout Layout = TelemetryLayouts.For(TelemetryMetric.DurationUs);
    private static readonly int Bins = UserGroups.CoarseBinCount(TelemetryMetric.DurationUs);

    [Fact]
    public void Of_EveryBucket_TheContractsGroupAndUngroupedOtherwise()
    {
        for (var bucket = 0; bucket < UserGroups.BucketCount; bucket++)
        {
            Assert.Equal(UserGroups.Of(bucket), UserGroupSlots.Of(bucket));
        }

        Assert.Equal(UserGroupSlots.Ungrouped, UserGroupSlots.Of(UserGroupSlots.NoBucket));
        Assert.Equal(UserGroupSlots.Ungrouped, UserGroupSlots.Of(UserGroups.BucketCount));
        Assert.Equal(UserGroupSlots.Ungrouped, UserGroupSlots.Of(int.MinValue));
    }

    [Fact]
    public void TryRecord_GroupedRecorder_EachValueInItsGroupAndCoarseBin()
    {
        var recorder = new IntervalRecorder(Layout, Bins);
        recorder.TryRecord(1_000, bucket: 33);      // group 1
        recorder.TryRecord(3_000, bucket: 65);      // group 1
        recorder.TryRecord(70, bucket: 9_999);      // group 15
        recorder.TryRecord(-4, bucket: 31);         // group 31, clamped to 0
        recorder.TryRecord(5_000_000_000, bucket: 0); // group 0, clamped to the highest value

        var interval = recorder.TakeInterval();
        var groups = interval.Groups!;

        Assert.Equal((2L, 4_000L), (groups.Count(1), groups.Sum(1)));
        Assert.Equal((1L, 70L), (groups.Count(15), groups.Sum(15)));
        Assert.Equal((1L, 0L, 1L), (groups.Count(31), groups.Sum(31), groups.Clamped(31)));
        Assert.Equal((1L, Layout.HighestTrackableValue, 1L), (groups.Count(0), groups.Sum(0), groups.Clamped(0)));
        Assert.Equal(0, groups.Count(UserGroupSlots.Ungrouped));
        Assert.Equal(1, groups.Bins[(1 * Bins) + CoarseBins.Index(1_000)]);
        Assert.Equal(1, groups.Bins[(1 * Bins) + CoarseBins.Index(3_000)]);
        Assert.Equal(1, groups.Bins[(0 * Bins) + CoarseBins.Index(Layout.HighestTrackableValue)]);
        AssertGroupsAddUp(interval);

        var totals = new GroupHistogramTotals(UserGroups.Count, Bins);
        totals.Add(groups.Encode());
        Assert.Equal(2, totals.Counts[1]);
        Assert.Equal(4_000, totals.Sums[1]);
        Assert.Equal(interval.TotalCount(), Sum(totals.Counts));
        Assert.Equal(interval.Sum, Sum(totals.Sums));
        Assert.Equal(interval.TotalCount(), Sum(totals.Bins));
    }

    [Fact]
    public void Encode_ValueWithoutBucketInTheInterval_NoGroups()
    {
        var recorder = new IntervalRecorder(Layout, Bins);
        recorder.TryRecord(1_000, bucket: 5);
        recorder.TryRecord(2_000);

        var interval = recorder.TakeInterval();

        Assert.Equal(2, interval.TotalCount());
        Assert.Equal(1, interval.Groups!.Count(UserGroupSlots.Ungrouped));
        Assert.Null(interval.Groups.Encode());

        recorder.TryRecord(1_000, bucket: 5);
        Assert.NotNull(recorder.TakeInterval().Groups!.Encode());
    }

    [Fact]
    public void TakeInterval_ConcurrentGroupedWriters_EveryValueInItsGroupExactlyOnce()
    {
        const int Threads = 4;
        const int PerThread = 200_000;
        var recorder = new IntervalRecorder(Layout, Bins);
        var counts = new long[UserGroups.Count];
        var sums = new long[UserGroups.Count];
        var intervals = 0;

        void Drain()
        {
            var interval = recorder.TakeInterval();
            AssertGroupsAddUp(interval);
            for (var g = 0; g < UserGroups.Count; g++)
            {
                counts[g] += interval.Groups!.Count(g);
                sums[g] += interval.Groups.Sum(g);
            }

            intervals++;
        }

        RunWriters(Threads, PerThread, (t, i) => recorder.TryRecord(Value(t, i), Bucket(t, i)), Drain);

        var expectedCounts = new long[UserGroups.Count];
        var expectedSums = new long[UserGroups.Count];
        for (var t = 0; t < Threads; t++)
        {
            for (var i = 0; i < PerThread; i++)
            {
                var g = UserGroups.Of(Bucket(t, i));
                expectedCounts[g]++;
                expectedSums[g] += Value(t, i);
            }
        }

        Assert.Equal(expectedCounts, counts);
        Assert.Equal(expectedSums, sums);
        Assert.True(intervals > 2);
    }

    [Fact]
    public void TakeInterval_ConcurrentEvents_EveryEventAndBucketExactlyOnceAndInTheSameInterval()
    {
        const int Threads = 4;
        const int PerThread = 200_000;
        var recorder = new UserGroupCounterRecorder();
        var requests = new long[UserGroups.Count];
        var successes = new long[UserGroups.Count];
        var seen = new BucketSet();

        void Drain()
        {
            var interval = recorder.TakeInterval();
            var buckets = new BucketSet();
            if (interval.EncodeBuckets() is { } encoded)
            {
                buckets.Add(encoded);
            }

            for (var g = 0; g < UserGroups.Count; g++)
            {
                requests[g] += interval.Value(TelemetryCounter.Requests, g);
                successes[g] += interval.Value(TelemetryCounter.Status2xx, g);
            }

            // A bucket is added with its request's count: every bucket of the set has requests in this interval's group.
            for (var b = 0; b < UserGroups.BucketCount; b++)
            {
                if (buckets.Contains(b))
                {
                    Assert.True(interval.Value(TelemetryCounter.Requests, UserGroups.Of(b)) > 0);
                }
            }

            Assert.Equal(interval.Total(TelemetryCounter.Requests), interval.Value(TelemetryCounter.Requests, UserGroupSlots.Ungrouped) + GroupSum(interval, TelemetryCounter.Requests));
            seen.UnionWith(buckets);
        }

        RunWriters(Threads, PerThread, (t, i) =>
        {
            recorder.TryCount(TelemetryCounter.Requests, Bucket(t, i));
            recorder.TryCount(TelemetryCounter.Status2xx, Bucket(t, i));
        }, Drain);

        var expected = new long[UserGroups.Count];
        var expectedBuckets = new BucketSet();
        for (var t = 0; t < Threads; t++)
        {
            for (var i = 0; i < PerThread; i++)
            {
                expected[UserGroups.Of(Bucket(t, i))]++;
                expectedBuckets.Add(Bucket(t, i));
            }
        }

        Assert.Equal(expected, requests);
        Assert.Equal(expected, successes);
        Assert.Equal(expectedBuckets.Words.ToArray(), seen.Words.ToArray());
    }

    [Fact]
    public void Retire_GroupCounters_LastIntervalOnceThenRefused()
    {
        var recorder = new UserGroupCounterRecorder();
        Assert.True(recorder.TryCount(TelemetryCounter.Requests, 40));
        Assert.Equal(1, recorder.TakeInterval().Value(TelemetryCounter.Requests, 8));
        Assert.True(recorder.TryCount(TelemetryCounter.Requests, 41));

        var last = recorder.Retire();

        Assert.Equal(1, last.Total(TelemetryCounter.Requests));
        Assert.Equal(1, last.Value(TelemetryCounter.Requests, 9));
        Assert.False(recorder.TryCount(TelemetryCounter.Requests, 42));
        Assert.Throws<InvalidOperationException>(() => recorder.TakeInterval());
        Assert.Throws<InvalidOperationException>(() => recorder.Retire());
    }

    [Fact]
    public void Count_ComparisonArm_EventsPerGroupAndBucketSet()
    {
        var arm = new ArmTelemetry("chat", "canary", recordsUserGroups: true);
        arm.CountRequest(bucket: 100);
        arm.CountRequest(bucket: 132);
        arm.CountStatus(503, bucket: 100);
        arm.CountFeedback(positive: true, bucket: 7);

        var interval = arm.GroupCountersIfCreated!.TakeInterval();

        Assert.Equal(2, arm.Read(TelemetryCounter.Requests));
        Assert.Equal(2, interval.Value(TelemetryCounter.Requests, 4));
        Assert.Equal(1, interval.Value(TelemetryCounter.Status5xx, 4));
        Assert.Equal(1, interval.Value(TelemetryCounter.FeedbackPositive, 7));
        var buckets = new BucketSet();
        buckets.Add(interval.EncodeBuckets());
        Assert.Equal(2, buckets.Count);
        Assert.True(buckets.Contains(100) && buckets.Contains(132));
        var groups = new long[UserGroups.Count];
        UserGroupCodec.AddCounts(interval.EncodeGroups(TelemetryCounter.Requests), groups);
        Assert.Equal(2, groups[4]);
        Assert.Null(interval.EncodeGroups(TelemetryCounter.Refusals));
    }

    [Fact]
    public void Record_ArmOutsideTheComparison_KeepsNoGroups()
    {
        var arm = new ArmTelemetry("chat", "canary:testers");
        arm.CountRequest(bucket: 100);
        arm.RecordDuration(1_000, bucket: 100);

        Assert.Null(arm.GroupCountersIfCreated);
        Assert.Null(arm.RecorderIfCreated(TelemetryMetric.DurationUs)!.TakeInterval().Groups);
        Assert.Equal(RecorderMemory.RecorderBytes(TelemetryMetric.DurationUs, CoreStripes.Count), arm.HistogramBytes);
    }

    [Fact]
    public void HistogramBytes_ComparisonArmWithEveryMetric_TheRecordersAndTheirGroups()
    {
        var arm = new ArmTelemetry("chat", "stable", recordsUserGroups: true);
        arm.CountRequest(bucket: 1);
        for (var m = 0; m < TelemetryNames.MetricCount; m++)
        {
            arm.Record((TelemetryMetric)m, 10, bucket: 1);
        }

        Assert.Equal(
            RecorderMemory.BytesPerArm + RecorderMemory.StripeBytesPerArm(CoreStripes.Count) + RecorderMemory.UserGroupBytesPerArm(CoreStripes.Count),
            arm.HistogramBytes);
    }

    [Fact]
    public void UserGroupBytesPerArm_FromTheContractsLayouts_TheFigureInTheDocs()
    {
        // bench/README.md and src/Contracts/Telemetry/README.md quote these; a layout change must update them.
        Assert.Equal(123, UserGroups.CoarseBinCount(TelemetryMetric.DurationUs));
        Assert.Equal(113, UserGroups.CoarseBinCount(TelemetryMetric.TimeToFirstTokenUs));
        Assert.Equal(89, UserGroups.CoarseBinCount(TelemetryMetric.TimePerOutputTokenUs));
        Assert.Equal(89, UserGroups.CoarseBinCount(TelemetryMetric.OutputTokens));
        Assert.Equal(DocumentedUserGroupBytes(2), RecorderMemory.UserGroupBytesPerArm(2));
        Assert.Equal(DocumentedUserGroupBytes(8), RecorderMemory.UserGroupBytesPerArm(8));
    }

    [Fact]
    public void UserGroupBytes_TheArraysARecorderAllocates()
    {
        // The arrays' payloads, measured: object headers and the recorder's own fields come on top (a few hundred bytes).
        var before = GC.GetAllocatedBytesForCurrentThread();
        var recorder = new IntervalRecorder(Layout, Bins);
        var grouped = GC.GetAllocatedBytesForCurrentThread() - before;
        before = GC.GetAllocatedBytesForCurrentThread();
        var plain = new IntervalRecorder(Layout);
        var ungrouped = GC.GetAllocatedBytesForCurrentThread() - before;
        before = GC.GetAllocatedBytesForCurrentThread();
        var counters = new UserGroupCounterRecorder();
        var counterBytes = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.InRange(grouped - ungrouped - RecorderMemory.UserGroupBytes(TelemetryMetric.DurationUs), 0, 512);
        Assert.InRange(counterBytes - RecorderMemory.UserGroupCounterBytes(CoreStripes.Count), 0, 512);
        GC.KeepAlive(recorder);
        GC.KeepAlive(plain);
        GC.KeepAlive(counters);
    }

    [Fact]
    public void Record_WarmComparisonArm_AllocatesNothing()
    {
        var arm = new ArmTelemetry("chat", "canary", recordsUserGroups: true);
        void Requests()
        {
            for (var i = 0; i < 10_000; i++)
            {
                var bucket = (i * 7919) % UserGroups.BucketCount;
                arm.CountRequest(bucket);
                arm.CountStatus(200, bucket);
                arm.RecordDuration(i * 31L, bucket);
                arm.RecordOutputTokens(i, bucket);
                arm.RecordCost(i, bucket);
            }
        }

        Requests();
        AllocationAssert.None(Requests);
    }

    // 2 phases × (pad + 33 slots × 32 counters + pad + 157 bucket words) × 8 B, the phaser's (stripes + 1) × 128 B;
    // per metric 2 phases × (pad + 33 × 3 × 8 B), and 2 × (pad + 32 groups × bins × 4 B) for the four binned metrics.
    private static long DocumentedUserGroupBytes(int stripes) =>
        (2 * (128 + (33 * 32 * 8) + 128 + (157 * 8))) + ((stripes + 1) * 128)
        + (11 * 2 * (128 + (33 * 3 * 8)))
        + (2 * ((4 * 128) + (32 * (123 + 113 + 89 + 89) * 4)));

    private static void AssertGroupsAddUp(IntervalHistogram interval)
    {
        var groups = interval.Groups!;
        long count = 0, sum = 0, clamped = 0, binned = 0;
        for (var slot = 0; slot < UserGroupSlots.Count; slot++)
        {
            count += groups.Count(slot);
            sum += groups.Sum(slot);
            clamped += groups.Clamped(slot);
        }

        foreach (var bin in groups.Bins)
        {
            binned += bin;
        }

        Assert.Equal(interval.TotalCount(), count);
        Assert.Equal(interval.Sum, sum);
        Assert.Equal(interval.Clamped, clamped);
        Assert.Equal(count - groups.Count(UserGroupSlots.Ungrouped), binned);
    }

    private static long GroupSum(UserGroupCounters interval, TelemetryCounter counter)
    {
        long sum = 0;
        for (var g = 0; g < UserGroups.Count; g++)
        {
            sum += interval.Value(counter, g);
        }

        return sum;
    }

    private static long Sum(ReadOnlySpan<long> values)
    {
        long sum = 0;
        foreach (var value in values)
        {
            sum += value;
        }

        return sum;
    }

    private static void RunWriters(int threads, int perThread, Action<int, int> write, Action drain)
    {
        using var start = new Barrier(threads + 1);
        var writers = new Thread[threads];
        for (var t = 0; t < threads; t++)
        {
            var thread = t;
            writers[t] = new Thread(() =>
            {
                start.SignalAndWait();
                for (var i = 0; i < perThread; i++)
                {
                    write(thread, i);
                }
            });
            writers[t].Start();
        }

        start.SignalAndWait();
        while (Array.Exists(writers, w => w.IsAlive))
        {
            drain();
        }

        drain();
        drain();
    }

    // Heavy users: a third of the values come from bucket 7, the rest spread by multiplicative hashing.
    private static int Bucket(int thread, int i) =>
        i % 3 == 0 ? 7 : (int)(((ulong)((thread * 1_000_003L) + i) * 11400714819323198485UL) % UserGroups.BucketCount);

    private static long Value(int thread, int i) => 1 + (long)(((ulong)((thread * 7_000_003L) + i) * 11400714819323198485UL) % 3_600_000_000UL);
}
