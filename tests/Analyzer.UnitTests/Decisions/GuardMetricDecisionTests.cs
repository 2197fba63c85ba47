using Canary.Analyzer.Decisions;
using Canary.Analyzer.UnitTests.Simulation;
using Canary.Analyzer.Statistics;
using Microsoft.Extensions.Time.Testing;

namespace Canary.Analyzer.UnitTests.Decisions;

// The decision table of the finish-reason, token, cost-per-success, re-priced cost and feedback guards. Each test is at
// stage 0 (5 %) after 3 days, where a canary equal to stable on every default guard promotes.
public sealed class GuardMetricDecisionTests
{
    private static readonly DateTimeOffset StageStart = new(2026, 3, 2, 8, 0, 0, TimeSpan.Zero);
    private static readonly double[] TokenGrid = LogNormalBuckets.Grid(10, 20_000, 1.02);

    [Fact]
    public void Decide_EqualArms_PromotesAndReportsTheFinishMix()
    {
        var decision = Decide(With(Guard("length_finish_rate=+50%")), Arm(50_000, lengthShare: 0.04), Arm(950_000, lengthShare: 0.04));

        Assert.Equal(Verdict.Promote, decision.Verdict);
        Assert.Equal(GuardStatus.WithinThreshold, Status(decision, "length_finish_rate"));
        Assert.NotNull(decision.FinishReasonMix);
        Assert.True(decision.FinishReasonMix.Value.PValue > 0.5);
    }

    [Fact]
    public void Decide_MoreLengthTruncations_RollsBack()
    {
        var decision = Decide(With(Guard("length_finish_rate=+50%")), Arm(50_000, lengthShare: 0.08), Arm(950_000, lengthShare: 0.04));

        Assert.Equal(Verdict.Rollback, decision.Verdict);
        Assert.StartsWith("Rolling back: the canary's share of length-truncated responses 8 % against stable 4 %", decision.Reason, StringComparison.Ordinal);
        Assert.True(decision.FinishReasonMix!.Value.PValue < 1e-6);
    }

    [Fact]
    public void Decide_NoFinishReasons_LengthGuardDoesNotApply()
    {
        var decision = Decide(With(Guard("length_finish_rate=+50%")), TestArms.Create(50_000), TestArms.Create(950_000));

        Assert.Equal(Verdict.Promote, decision.Verdict);
        Assert.Equal(GuardStatus.NotApplicable, Status(decision, "length_finish_rate"));
        Assert.Null(decision.FinishReasonMix);
    }

    [Fact]
    public void Decide_FeedbackOnOneArmOnly_FeedbackGuardDoesNotApply()
    {
        var decision = Decide(With(Guard("negative_feedback_rate=+50%,min=200")), Arm(50_000, feedback: (0, 0)), Arm(950_000, feedback: (9000, 1000)));

        Assert.Equal(Verdict.Promote, decision.Verdict);
        Assert.Equal(GuardStatus.NotApplicable, Status(decision, "negative_feedback_rate"));
    }

    [Fact]
    public void Decide_FeedbackUnderItsMinimum_Holds()
    {
        var decision = Decide(With(Guard("negative_feedback_rate=+50%,min=200")), Arm(50_000, feedback: (90, 10)), Arm(950_000, feedback: (9000, 1000)));

        Assert.Equal(Verdict.Hold, decision.Verdict);
        Assert.Equal(GuardStatus.InsufficientSamples, Status(decision, "negative_feedback_rate"));
    }

    [Fact]
    public void Decide_MoreNegativeFeedback_RollsBack()
    {
        var decision = Decide(With(Guard("negative_feedback_rate=+50%,min=200")), Arm(50_000, feedback: (1600, 400)), Arm(950_000, feedback: (36_000, 4000)));

        Assert.Equal(Verdict.Rollback, decision.Verdict);
        Assert.Contains("negative feedback rate 20 % against stable 10 %", decision.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Decide_LongerAnswers_RollsBackOnOutputTokens()
    {
        var decision = Decide(With(Guard("output_tokens_p50=+25%")), Arm(50_000, outputMedian: 600), Arm(950_000, outputMedian: 300));

        Assert.Equal(Verdict.Rollback, decision.Verdict);
        Assert.Contains("p50 output tokens", decision.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Decide_SameOutputTokens_PromotesWithTheTokenGuardWithin()
    {
        var decision = Decide(With(Guard("output_tokens_p50=+25%")), Arm(50_000), Arm(950_000));

        Assert.Equal(Verdict.Promote, decision.Verdict);
        Assert.Equal(GuardStatus.WithinThreshold, Status(decision, "output_tokens_p50"));
    }

    [Fact]
    public void Decide_SameCostButFewerSuccesses_RollsBackOnCostPerSuccess()
    {
        // Cost per request equal, but 82 % against 99 % successful: 1.21 × the spend per useful answer.
        var decision = Decide(With(Guard("cost_per_successful_request=+10%")), Arm(50_000, successShare: 0.82), Arm(950_000, successShare: 0.99));

        Assert.Equal(Verdict.Rollback, decision.Verdict);
        Assert.Contains("cost per successful request", decision.Reason, StringComparison.Ordinal);
        Assert.Equal(GuardStatus.WithinThreshold, Status(decision, "cost_per_request"));
    }

    [Fact]
    public void Decide_EqualSuccess_CostPerSuccessWithin()
    {
        var decision = Decide(With(Guard("cost_per_successful_request=+10%")), Arm(50_000), Arm(950_000));

        Assert.Equal(Verdict.Promote, decision.Verdict);
        Assert.Equal(GuardStatus.WithinThreshold, Status(decision, "cost_per_successful_request"));
    }

    [Fact]
    public void Decide_RepricedCostDoubled_RollsBackOnRepricedCost()
    {
        // The sidecar's recorded costs are equal (old prices), the current price table makes the canary twice as dear.
        var canary = Arm(50_000) with { RepricedCost = MeanEstimate.FromMoments(4000, 4000d * 4000, 50_000) };
        var stable = Arm(950_000) with { RepricedCost = MeanEstimate.FromMoments(2000, 2000d * 2000, 950_000) };

        var decision = Decide(new DecisionOptions(), canary, stable);

        Assert.Equal(Verdict.Rollback, decision.Verdict);
        Assert.Contains("cost per request $0.004 against stable $0.002", decision.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Decide_RepricedCostOnOneArmOnly_UsesTheRecordedCost()
    {
        var canary = Arm(50_000) with { RepricedCost = MeanEstimate.FromMoments(4000, 4000d * 4000, 50_000) };

        var decision = Decide(new DecisionOptions(), canary, Arm(950_000));

        Assert.Equal(Verdict.Promote, decision.Verdict);
    }

    private static DecisionOptions With(GuardOptions guard) => GuardSpecParser.WithGuards(new DecisionOptions(), [guard]);

    private static GuardOptions Guard(string spec)
    {
        var errors = new List<string>();
        var guard = GuardSpecParser.Parse(spec, errors);
        Assert.Empty(errors);
        return guard!;
    }

    private static GuardStatus Status(Decision decision, string key) => Assert.Single(decision.Guards, g => g.Key == key).Status;

    private static ArmEvidence Arm(
        long requests, double lengthShare = 0.04, (long Positive, long Negative)? feedback = null, double outputMedian = 300, double successShare = 0.98)
    {
        var finished = (long)(requests * 0.97);
        var length = (long)Math.Round(finished * lengthShare);
        var toolCalls = finished / 10;
        return TestArms.Create(requests) with
        {
            Successes = (long)Math.Round(requests * successShare),
            FinishReasons = new FinishReasonCounts(finished - length - toolCalls, length, 0, toolCalls, 0),
            OutputTokenDistribution = TestArms.Expected(TokenGrid, requests, outputMedian, 0.7),
            FeedbackPositive = feedback?.Positive ?? 0,
            FeedbackNegative = feedback?.Negative ?? 0,
        };
    }

    private static Decision Decide(DecisionOptions options, ArmEvidence canary, ArmEvidence stable) =>
        new DecisionEngine(new FakeTimeProvider(StageStart + TimeSpan.FromDays(3))).Decide(options, new DecisionInput
        {
            StageIndex = 0,
            StageStartedAt = StageStart,
            Canary = canary,
            Stable = stable,
        });
}
