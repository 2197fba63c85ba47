using Canary.Contracts.Responses;
using Canary.Contracts.Telemetry;
using Canary.Sidecar.Telemetry.Recording;
using Xunit.Abstractions;

namespace Canary.Sidecar.UnitTests.Telemetry;

public class ArmTelemetryTests
{
    private readonly ITestOutputHelper _output;

    public ArmTelemetryTests(ITestOutputHelper output)
    {
        _output = output;
    }

    [Theory]
    [InlineData(200, TelemetryCounter.Status2xx)]
    [InlineData(299, TelemetryCounter.Status2xx)]
    [InlineData(400, TelemetryCounter.Status4xx)]
    [InlineData(429, TelemetryCounter.Status429)]
    [InlineData(499, TelemetryCounter.Status4xx)]
    [InlineData(500, TelemetryCounter.Status5xx)]
    [InlineData(503, TelemetryCounter.Status5xx)]
    [InlineData(304, TelemetryCounter.StatusOther)]
    [InlineData(100, TelemetryCounter.StatusOther)]
    public void CountStatus_StatusCode_CountsItsClassOnly(int status, TelemetryCounter expected)
    {
        var arm = new ArmTelemetry("model-a", "canary");
        arm.CountStatus(status);
        foreach (var counter in Enum.GetValues<TelemetryCounter>())
        {
            Assert.Equal(counter == expected ? 1 : 0, arm.Read(counter));
        }
    }

    [Fact]
    public void CountFinishReasonAndUnparsed_EveryKind_MapsToItsCounter()
    {
        var arm = new ArmTelemetry("model-a", "stable");
        arm.CountFinishReason(FinishReason.Stop);
        arm.CountFinishReason(FinishReason.Length);
        arm.CountFinishReason(FinishReason.ContentFilter);
        arm.CountFinishReason(FinishReason.ToolCalls);
        arm.CountFinishReason(FinishReason.Other);
        arm.CountUnparsed(UnparsedBodyKind.MalformedJson);
        arm.CountUnparsed(UnparsedBodyKind.AbsurdValue);
        arm.CountFeedback(positive: true);
        arm.CountFeedback(positive: false);
        arm.CountFeedback(positive: false);

        Assert.Equal(1, arm.Read(TelemetryCounter.FinishStop));
        Assert.Equal(1, arm.Read(TelemetryCounter.FinishLength));
        Assert.Equal(1, arm.Read(TelemetryCounter.FinishContentFilter));
        Assert.Equal(1, arm.Read(TelemetryCounter.FinishToolCalls));
        Assert.Equal(1, arm.Read(TelemetryCounter.FinishOther));
        Assert.Equal(1, arm.Read(TelemetryCounter.UnparsedMalformed));
        Assert.Equal(1, arm.Read(TelemetryCounter.UnparsedAbsurdValue));
        Assert.Equal(0, arm.Read(TelemetryCounter.UnparsedTruncated));
        Assert.Equal(1, arm.Read(TelemetryCounter.FeedbackPositive));
        Assert.Equal(2, arm.Read(TelemetryCounter.FeedbackNegative));
    }

    [Fact]
    public void UnparsedBodyKind_Members_AlignWithCounters()
    {
        Assert.Equal(
            (int)TelemetryCounter.UnparsedAbsurdValue - (int)TelemetryCounter.UnparsedMalformed + 1,
            Enum.GetValues<UnparsedBodyKind>().Length);
        Assert.Equal(
            (int)TelemetryCounter.FinishOther - (int)TelemetryCounter.FinishStop + 1,
            Enum.GetValues<FinishReason>().Length - 1); // FinishReason.None is not counted
    }

    [Fact]
    public void TakeCounterDeltas_CalledTwice_ReturnsIncreaseSinceLastCall()
    {
        var arm = new ArmTelemetry("model-a", "stable");
        var deltas = new long[TelemetryNames.CounterCount];
        arm.CountRequest();
        arm.CountRequest();
        arm.TakeCounterDeltas(deltas);
        Assert.Equal(2, deltas[(int)TelemetryCounter.Requests]);

        arm.CountRequest();
        arm.TakeCounterDeltas(deltas);
        Assert.Equal(1, deltas[(int)TelemetryCounter.Requests]);
        Assert.Equal(3, arm.Read(TelemetryCounter.Requests));
    }

    [Fact]
    public void RecordAndCount_WarmArm_AllocateNothing()
    {
        var arm = new ArmTelemetry("model-a", "stable");
        AllocationAssert.None(() => RecordAll(arm, 10_000));
    }

    [Fact]
    public void NewArm_NoTraffic_HoldsNoRecordersNorCounters()
    {
        var before = GC.GetAllocatedBytesForCurrentThread();
        var arm = new ArmTelemetry("model-a", "stable");
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        var deltas = new long[TelemetryNames.CounterCount];
        deltas.AsSpan().Fill(-1);

        arm.TakeCounterDeltas(deltas);

        // The arm object and its table of 11 recorder references, nothing per metric or per core.
        Assert.InRange(allocated, 1, 256);
        Assert.Equal(0, arm.HistogramBytes);
        Assert.All(Enum.GetValues<TelemetryMetric>(), metric => Assert.Null(arm.RecorderIfCreated(metric)));
        Assert.All(Enum.GetValues<TelemetryCounter>(), counter => Assert.Equal(0, arm.Read(counter)));
        Assert.All(deltas, delta => Assert.Equal(0, delta));
    }

    [Fact]
    public void FirstRequest_CreatesItsRecordersOnce_ThenRecordingAllocatesNothing()
    {
        var arm = new ArmTelemetry("model-a", "stable");
        long recorderBytes = 0;
        foreach (var metric in Enum.GetValues<TelemetryMetric>())
        {
            recorderBytes += RecorderMemory.RecorderBytes(metric, CoreStripes.Count);
        }

        var before = GC.GetAllocatedBytesForCurrentThread();
        RecordAll(arm, 1);
        var firstRequest = GC.GetAllocatedBytesForCurrentThread() - before;
        _output.WriteLine($"first request of an arm, every metric and counter: {firstRequest} bytes allocated ({recorderBytes} in recorder storage, {CoreStripes.Count} stripes)");

        // The recorders' storage plus object headers, the phasers' locks and the striped counters: a few KB at most.
        Assert.InRange(firstRequest, recorderBytes, recorderBytes + (16 * 1024));
        Assert.Equal(recorderBytes, arm.HistogramBytes);
        AllocationAssert.None(() => RecordAll(arm, 100));
    }

    [Fact]
    public async Task FirstRequest_ManyThreadsAtOnce_OneRecorderAndEveryValueKept()
    {
        const int Threads = 4;
        const int PerThread = 1000;
        for (var round = 0; round < 50; round++)
        {
            var arm = new ArmTelemetry("model-a", "canary");
            var seen = new IntervalRecorder[Threads];
            using var start = new Barrier(Threads);
            var workers = new Task[Threads];
            for (var t = 0; t < Threads; t++)
            {
                var thread = t;
                workers[t] = Task.Factory.StartNew(
                    () =>
                    {
                        start.SignalAndWait();
                        for (var i = 0; i < PerThread; i++)
                        {
                            arm.CountRequest();
                            arm.RecordDuration(i);
                        }

                        seen[thread] = arm.Recorder(TelemetryMetric.DurationUs);
                    },
                    TaskCreationOptions.LongRunning);
            }

            await Task.WhenAll(workers);

            Assert.All(seen, recorder => Assert.Same(arm.RecorderIfCreated(TelemetryMetric.DurationUs), recorder));
            Assert.Equal(Threads * PerThread, arm.Read(TelemetryCounter.Requests));
            Assert.Equal(Threads * PerThread, arm.RecorderIfCreated(TelemetryMetric.DurationUs)!.TakeInterval().TotalCount());
        }
    }

    private static void RecordAll(ArmTelemetry arm, int n)
    {
        for (var i = 0; i < n; i++)
        {
            arm.CountRequest();
            arm.CountStatus(200);
            arm.RecordDuration(i * 1000L);
            arm.RecordResponseHeaders(i);
            arm.RecordTimeToFirstToken(i);
            arm.RecordTimePerOutputToken(i);
            arm.RecordInputTokens(i);
            arm.RecordOutputTokens(i);
            arm.RecordCachedTokens(i);
            arm.RecordCacheCreationTokens(i);
            arm.RecordReasoningTokens(i);
            arm.RecordCost(i);
            arm.RecordResponseBytes(i);
            arm.CountFinishReason(FinishReason.Stop);
        }
    }
}
