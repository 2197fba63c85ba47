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
    public long FirstRequestOfAnArm()
    {
        var arm = new ArmTelemetry("chat.example.internal", "canary");
        arm.CountRequest();
        arm.CountStatus(200);
        arm.CountFinishReason(FinishReason.Stop);
        arm.RecordDuration(2_500_000);
        arm.RecordResponseHeaders(180_000);
        arm.RecordTimeToFirstToken(350_000);
        arm.RecordTimePerOutputToken(12_000);
        arm.RecordInputTokens(412);
        arm.RecordOutputTokens(180);
        arm.RecordCachedTokens(128);
        arm.RecordCacheCreationTokens(0);
        arm.RecordReasoningTokens(64);
        arm.RecordCost(1_900);
        arm.RecordResponseBytes(9_400);
        return arm.HistogramBytes;
    }
}
