using BenchmarkDotNet.Attributes;
using Canary.Contracts.Responses;
using Canary.Sidecar.Telemetry.Recording;

namespace Canary.Benchmarks.Telemetry;

/// <summary>
/// The one-off cost of an arm's first request: what a completed streamed request records, into an arm that holds no
/// storage yet (a new arm, or one that handed its recorders back after being idle). Every later request of the arm
/// records into the same storage and allocates nothing (<see cref="RecordingBenchmarks.RecordRequest"/>). Its budget in
/// bench/allocation-budgets.json is this figure with a little room; a change that makes first requests dearer fails it.
/// </summary>
[Config(typeof(BenchmarkConfig))]
public class ArmFirstRequestBenchmarks
{
    [Benchmark(Description = "first request of an arm: its recorders and counters")]
    public long FirstRequestOfAnArm() => RecordFirstRequest(new ArmTelemetry("chat.example.internal", "canary:testers"), 4_321);

    /// <summary>The same into an arm of the comparison (stable or canary), which also keeps every value and event per
    /// user group (<see cref="RecorderMemory.UserGroupBytesPerArm"/>).</summary>
    [Benchmark(Description = "first request of a comparison arm: recorders, counters and user groups")]
    public long FirstRequestOfAComparisonArm() =>
        RecordFirstRequest(new ArmTelemetry("chat.example.internal", "canary", recordsUserGroups: true), 4_321);

    private static long RecordFirstRequest(ArmTelemetry arm, int bucket)
    {
        arm.CountRequest(bucket);
        arm.CountStatus(200, bucket);
        arm.CountFinishReason(FinishReason.Stop, bucket);
        arm.RecordDuration(2_500_000, bucket);
        arm.RecordResponseHeaders(180_000, bucket);
        arm.RecordTimeToFirstToken(350_000, bucket);
        arm.RecordTimePerOutputToken(12_000, bucket);
        arm.RecordInputTokens(412, bucket);
        arm.RecordOutputTokens(180, bucket);
        arm.RecordCachedTokens(128, bucket);
        arm.RecordCacheCreationTokens(0, bucket);
        arm.RecordReasoningTokens(64, bucket);
        arm.RecordCost(1_900, bucket);
        arm.RecordResponseBytes(9_400, bucket);
        return arm.HistogramBytes;
    }
}
