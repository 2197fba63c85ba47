using Canary.Analyzer.Decisions;
using Microsoft.Extensions.Time.Testing;

namespace Canary.Analyzer.UnitTests.Decisions;

// One test per branch of the decision table (see DecisionEngine's remarks for the order of the rules).
public sealed class DecisionEngineTests
{
    private static readonly DateTimeOffset StageStart = new(2026, 3, 2, 8, 0, 0, TimeSpan.Zero);
    private static readonly DecisionOptions Defaults = new();

    [Fact]
    public void Decide_AtFullWeight_Completes()
    {
        var decision = Decide(Defaults, 5, TimeSpan.FromHours(1), TestArms.Create(100_000), TestArms.Create(0));

        Assert.Equal(Verdict.Complete, decision.Verdict);
        Assert.Equal(10000, decision.TargetWeightBasisPoints);
        Assert.Equal(StageStart + TimeSpan.FromHours(1) + TimeSpan.FromDays(30), decision.ArchiveAt);
    }

    [Fact]
    public void Decide_InWarmUp_Holds()
    {
        var decision = Decide(Defaults, 0, TimeSpan.FromMinutes(5), TestArms.Create(0), TestArms.Create(0));

        Assert.Equal(Verdict.Hold, decision.Verdict);
        Assert.Contains("warming up", decision.Reason, StringComparison.Ordinal);
        Assert.Equal(StageStart + Defaults.WarmUp, decision.WindowStart);
    }

    [Fact]
    public void Decide_UnderMinimumSamplesWithTerribleCanary_HoldsNeverFails()
    {
        var decision = Decide(Defaults, 0, TimeSpan.FromHours(1), TestArms.Create(500, errorRate: 0.5), TestArms.Create(9500));

        Assert.Equal(Verdict.Hold, decision.Verdict);
        Assert.Equal(500, decision.TargetWeightBasisPoints);
        Assert.Contains("under the minimum of 1000 per arm", decision.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Decide_ErrorRateSignificantlyWorse_RollsBack()
    {
        var decision = Decide(Defaults, 0, TimeSpan.FromHours(6), TestArms.Create(5000, errorRate: 0.03), TestArms.Create(95000));

        Assert.Equal(Verdict.Rollback, decision.Verdict);
        Assert.Equal(0, decision.TargetWeightBasisPoints);
        var error = Assert.Single(decision.Guards, g => g.Key == "error_rate");
        Assert.Equal(GuardStatus.Worse, error.Status);
        Assert.True(error.PValueWorseThanStable < decision.RollbackAlphaPerTest);
        Assert.StartsWith("Rolling back: the canary's error rate 3 % against stable 1 %", decision.Reason, StringComparison.Ordinal);
        Assert.EndsWith("is significantly worse than its +50 % threshold.", decision.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Decide_LatencySignificantlyWorse_RollsBack()
    {
        var decision = Decide(Defaults, 0, TimeSpan.FromHours(6), TestArms.Create(5000, latencyMedian: 1200), TestArms.Create(95000));

        Assert.Equal(Verdict.Rollback, decision.Verdict);
        Assert.Contains("p95 latency", decision.Reason, StringComparison.Ordinal);
        // Latency is stored in microseconds and read by operators in milliseconds.
        Assert.Matches(@"p95 latency [0-9.]+ ms against stable [0-9.]+ ms", decision.Reason);
    }

    [Fact]
    public void Decide_WorseThanStableButShownWithinThreshold_DoesNotRollBack()
    {
        // +20 % errors on 200 000 canary requests: significantly worse than stable, but shown within the +50 % margin.
        var decision = Decide(Defaults, 0, TimeSpan.FromDays(3), TestArms.Create(200_000, errorRate: 0.012), TestArms.Create(3_800_000));

        var error = Assert.Single(decision.Guards, g => g.Key == "error_rate");
        Assert.True(error.PValueWorseThanStable < decision.RollbackAlphaPerTest);
        Assert.Equal(GuardStatus.WithinThreshold, error.Status);
        Assert.Equal(Verdict.Promote, decision.Verdict);
    }

    [Fact]
    public void Decide_SplitMismatch_HoldsWithSplitMismatchReason()
    {
        var decision = Decide(Defaults, 0, TimeSpan.FromHours(6), TestArms.Create(7000), TestArms.Create(93000));

        Assert.Equal(Verdict.Hold, decision.Verdict);
        Assert.Contains("split mismatch", decision.Reason, StringComparison.Ordinal);
        Assert.True(decision.Split!.Value.PValue < Defaults.SplitMismatchAlpha);
    }

    [Fact]
    public void Decide_SplitMismatchWithWorseCanary_StillRollsBack()
    {
        var decision = Decide(Defaults, 0, TimeSpan.FromHours(6), TestArms.Create(7000, errorRate: 0.05), TestArms.Create(93000));

        Assert.Equal(Verdict.Rollback, decision.Verdict);
    }

    [Fact]
    public void Decide_GuardUnderMinimumSamples_Holds()
    {
        var options = Defaults with
        {
            Guards = [.. Defaults.Guards, new GuardOptions { Metric = GuardMetric.TimeToFirstToken, Threshold = 0.3 }],
        };
        var decision = Decide(options, 0, TimeSpan.FromDays(3), TestArms.Create(50_000, ttftCount: 400), TestArms.Create(950_000, ttftCount: 9000));

        Assert.Equal(Verdict.Hold, decision.Verdict);
        Assert.Contains("samples of ttft_p95", decision.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Decide_GuardWithoutData_DoesNotApplyAndPromotes()
    {
        var options = Defaults with
        {
            Guards = [.. Defaults.Guards, new GuardOptions { Metric = GuardMetric.TimeToFirstToken, Threshold = 0.3 }],
        };
        var decision = Decide(options, 0, TimeSpan.FromDays(3), TestArms.Create(50_000), TestArms.Create(950_000));

        Assert.Equal(Verdict.Promote, decision.Verdict);
        Assert.Equal(GuardStatus.NotApplicable, Assert.Single(decision.Guards, g => g.Key == "ttft_p95").Status);
    }

    [Fact]
    public void Decide_NotYetShownWithinThreshold_Holds()
    {
        var decision = Decide(Defaults, 0, TimeSpan.FromDays(3), TestArms.Create(2000), TestArms.Create(38000));

        Assert.Equal(Verdict.Hold, decision.Verdict);
        Assert.StartsWith("Holding: not yet enough evidence that the canary's error rate", decision.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Decide_ClearlyBetter_Accelerates()
    {
        var decision = Decide(Defaults, 0, TimeSpan.FromHours(3), TestArms.Create(50_000, errorRate: 0.002), TestArms.Create(950_000));

        Assert.Equal(Verdict.Accelerate, decision.Verdict);
        Assert.Equal(1000, decision.TargetWeightBasisPoints);
        Assert.Equal(1, decision.TargetStageIndex);
        Assert.Equal(1, decision.State.StageIndex);
        Assert.StartsWith("Accelerating from 5 % to 10 %: the canary's error rate 0.2 % against stable 1 %", decision.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Decide_ClearlyBetterWithAccelerationDisabled_WaitsForStageTime()
    {
        var options = Defaults with { AccelerationEnabled = false };
        var decision = Decide(options, 0, TimeSpan.FromHours(3), TestArms.Create(50_000, errorRate: 0.002), TestArms.Create(950_000));

        Assert.Equal(Verdict.Hold, decision.Verdict);
        Assert.Contains("stage time is not served (3h 0m of 2d 0h)", decision.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Decide_ClearlyBetterAtLastStage_Completes()
    {
        var decision = Decide(Defaults, 4, TimeSpan.FromHours(3), TestArms.Create(750_000, errorRate: 0.002), TestArms.Create(250_000));

        Assert.Equal(Verdict.Complete, decision.Verdict);
        Assert.Equal(10000, decision.TargetWeightBasisPoints);
        Assert.NotNull(decision.ArchiveAt);
    }

    [Fact]
    public void Decide_WithinThresholdsBeforeStageTime_Holds()
    {
        var decision = Decide(Defaults, 0, TimeSpan.FromHours(20), TestArms.Create(50_000), TestArms.Create(950_000));

        Assert.Equal(Verdict.Hold, decision.Verdict);
        Assert.Contains("stage time is not served", decision.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Decide_WithinThresholdsAfterStageTime_Promotes()
    {
        var decision = Decide(Defaults, 0, TimeSpan.FromDays(2), TestArms.Create(50_000), TestArms.Create(950_000));

        Assert.Equal(Verdict.Promote, decision.Verdict);
        Assert.Equal(1000, decision.TargetWeightBasisPoints);
        Assert.Equal("Promoting from 5 % to 10 %: all guards are within their thresholds after 2d 0h in the stage.", decision.Reason);
        Assert.All(decision.Guards, g => Assert.True(g.Comparison is not null));
    }

    [Fact]
    public void Decide_WithinThresholdsAfterLastStageTime_Completes()
    {
        var decision = Decide(Defaults, 4, TimeSpan.FromDays(4), TestArms.Create(750_000), TestArms.Create(250_000));

        Assert.Equal(Verdict.Complete, decision.Verdict);
        Assert.Equal(5, decision.TargetStageIndex);
        Assert.StartsWith("Completing: all guards are within their thresholds after 4d 0h at 75 %", decision.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Decide_StateOfAnotherStage_IsDiscarded()
    {
        // Maxima from stage 0 that would show every hypothesis must not carry into stage 1.
        var carried = new Dictionary<string, GuardSequentialState>(StringComparer.Ordinal);
        foreach (var guard in Defaults.Guards)
        {
            carried[guard.Key] = new GuardSequentialState(0, 0, 100, 100, 100, 10);
        }

        var decision = Decide(Defaults, 1, TimeSpan.FromDays(3), TestArms.Create(2000), TestArms.Create(18000), new SequentialState(0, carried, new HashSet<string>()));

        Assert.Equal(Verdict.Hold, decision.Verdict);
        Assert.All(decision.Guards, g => Assert.Equal(1, g.State.Looks));
    }

    [Fact]
    public void Decide_StateOfThisStage_KeepsEarlierEvidence()
    {
        var carried = new Dictionary<string, GuardSequentialState>(StringComparer.Ordinal);
        foreach (var guard in Defaults.Guards)
        {
            carried[guard.Key] = new GuardSequentialState(0, 0, 100, 0, 0, 10);
        }

        var decision = Decide(Defaults, 0, TimeSpan.FromDays(3), TestArms.Create(2000), TestArms.Create(38000), new SequentialState(0, carried, new HashSet<string>()));

        Assert.Equal(Verdict.Promote, decision.Verdict);
        Assert.All(decision.Guards, g => Assert.Equal(11, g.State.Looks));
    }

    [Fact]
    public void Decide_WorseThanStableNeverShownWithin_RollsBack()
    {
        // +30 % errors at the 10 % stage: shown worse than stable (p < 5e-4), not yet within +50 %, not beyond it.
        var decision = Decide(Defaults, 1, TimeSpan.FromDays(1), TestArms.Create(30_800, errorRate: 0.013), TestArms.Create(276_000));

        var error = Assert.Single(decision.Guards, g => g.Key == "error_rate");
        Assert.True(error.PValueWorseThanStable < decision.RollbackAlphaPerTest);
        Assert.True(error.PValueWorseThanMargin > decision.RollbackAlphaPerTest);
        Assert.Equal(Verdict.Rollback, decision.Verdict);
        Assert.EndsWith("is significantly worse than stable and not shown to be within its +50 % threshold.", decision.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Decide_WorseThanStableAfterShownWithinInEarlierStage_Holds()
    {
        // Same evidence, but the error rate was shown within its threshold at the 5 % stage: only evidence beyond the
        // threshold can roll it back now, and promotion still needs fresh evidence of non-inferiority in this stage.
        var earlier = SequentialState.Start(0);
        var previous = new SequentialState(0, new Dictionary<string, GuardSequentialState>(StringComparer.Ordinal)
        {
            ["error_rate"] = GuardSequentialState.Empty with { MaxWithinMargin = 10 },
        }, earlier.WithinInEarlierStage);

        var decision = Decide(Defaults, 1, TimeSpan.FromDays(1), TestArms.Create(30_800, errorRate: 0.013), TestArms.Create(276_000), previous);

        Assert.Equal(Verdict.Hold, decision.Verdict);
        Assert.Contains("error_rate", decision.State.WithinInEarlierStage);
        Assert.Equal(GuardStatus.Inconclusive, Assert.Single(decision.Guards, g => g.Key == "error_rate").Status);
    }

    [Fact]
    public void Decide_CompressedSchedule_PromotesAfterSeconds()
    {
        var options = Defaults with
        {
            MinimumStageDurationFloor = TimeSpan.Zero,
            MinimumStageDurations = [TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(30)],
            WarmUp = TimeSpan.FromSeconds(5),
        };
        var decision = Decide(options, 0, TimeSpan.FromSeconds(40), TestArms.Create(50_000), TestArms.Create(950_000));

        Assert.Equal(Verdict.Promote, decision.Verdict);
    }

    private static Decision Decide(DecisionOptions options, int stage, TimeSpan inStage, ArmEvidence canary, ArmEvidence stable, SequentialState? previous = null)
    {
        var time = new FakeTimeProvider(StageStart + inStage);
        var engine = new DecisionEngine(time);
        return engine.Decide(options, new DecisionInput
        {
            StageIndex = stage,
            StageStartedAt = StageStart,
            Canary = canary,
            Stable = stable,
            Previous = previous,
        });
    }
}
