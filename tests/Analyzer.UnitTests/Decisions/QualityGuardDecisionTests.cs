using Canary.Analyzer.Decisions;
using Microsoft.Extensions.Time.Testing;

namespace Canary.Analyzer.UnitTests.Decisions;

// The decision table of the quality guards. Each test is at stage 0 (5 %) after 3 days, where arms equal on every
// default guard promote, so the quality guard alone decides.
public sealed class QualityGuardDecisionTests
{
    private static readonly DateTimeOffset StageStart = new(2026, 3, 2, 8, 0, 0, TimeSpan.Zero);

    // Mean 4.02; 10 % failed (scores 1–2).
    private static readonly double[] Good = [0.03, 0.07, 0.15, 0.35, 0.40];

    // Mean 2.9; 40 % failed.
    private static readonly double[] Poor = [0.20, 0.20, 0.25, 0.20, 0.15];

    [Fact]
    public void Decide_EqualScores_ScoreGuardWithinAndPromotes()
    {
        var decision = Decide("judge_score_mean=10%", QualityArms.Create(QualityArms.Scores(800, Good)), QualityArms.Create(QualityArms.Scores(800, Good), seed: 7));

        Assert.Equal(GuardStatus.WithinThreshold, Guard(decision, "judge_score_mean").Status);
        Assert.Equal(Verdict.Promote, decision.Verdict);
    }

    [Fact]
    public void Decide_CanaryScoresWorse_RollsBackOnTheScoreGuard()
    {
        var decision = Decide("judge_score_mean=10%", QualityArms.Create(QualityArms.Scores(800, Poor)), QualityArms.Create(QualityArms.Scores(800, Good), seed: 7));

        var guard = Guard(decision, "judge_score_mean");
        Assert.Equal(GuardStatus.Worse, guard.Status);
        Assert.Equal(Verdict.Rollback, decision.Verdict);
        Assert.StartsWith("Rolling back: the canary's mean judge score 2.9 against stable 4.02 (stable/canary 1.386", decision.Reason, StringComparison.Ordinal);
        Assert.EndsWith("\u221210 % threshold.", decision.Reason, StringComparison.Ordinal);
        Assert.Equal(2.9, guard.Comparison!.Value.CanaryValue, 1e-9);
        Assert.Equal(4.02, guard.Comparison.Value.StableValue, 1e-9);
        Assert.NotNull(guard.UserLevel);
    }

    [Fact]
    public void Decide_ScoreNineteenPercentBelowStable_IsNotWithinTenPercent()
    {
        // 3.35 against 4.02 is 17 % below: beyond the threshold, so never within it.
        double[] lower = [0.10, 0.15, 0.25, 0.30, 0.20];
        var decision = Decide("judge_score_mean=10%", QualityArms.Create(QualityArms.Scores(800, lower)), QualityArms.Create(QualityArms.Scores(800, Good), seed: 7));

        Assert.NotEqual(GuardStatus.WithinThreshold, Guard(decision, "judge_score_mean").Status);
        Assert.NotEqual(Verdict.Promote, decision.Verdict);
    }

    [Fact]
    public void Decide_UnderTheQualityMinimum_HoldsWithTheGuardMinimum()
    {
        var decision = Decide("judge_score_mean=10%", QualityArms.Create(QualityArms.Scores(30, Poor)), QualityArms.Create(QualityArms.Scores(800, Good)));

        Assert.Equal(GuardStatus.InsufficientSamples, Guard(decision, "judge_score_mean").Status);
        Assert.Equal(Verdict.Hold, decision.Verdict);
        Assert.Equal("Holding: 30 canary and 800 stable samples of judge_score_mean, under the minimum of 50 per arm.", decision.Reason);
    }

    [Fact]
    public void Decide_MinimumSetOnTheGuard_IsTheOneUsed()
    {
        var decision = Decide("judge_fail_rate=+50%,min=500", QualityArms.Create(QualityArms.Scores(400, Good)), QualityArms.Create(QualityArms.Scores(800, Good)));

        Assert.Equal(GuardStatus.InsufficientSamples, Guard(decision, "judge_fail_rate").Status);
        Assert.EndsWith("under the minimum of 500 per arm.", decision.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Decide_NoQualityEvidence_HoldsAsInsufficient()
    {
        var decision = Decide("paired_loss_rate=55%", null, null);

        Assert.Equal(GuardStatus.InsufficientSamples, Guard(decision, "paired_loss_rate").Status);
        Assert.Equal("Holding: 0 decided paired comparisons for paired_loss_rate, under the minimum of 50.", decision.Reason);
    }

    [Fact]
    public void Decide_CanaryFailsMore_RollsBackOnTheFailRateGuard()
    {
        var decision = Decide("judge_fail_rate=+50%,floor=0.02", QualityArms.Create(QualityArms.Scores(800, Poor)), QualityArms.Create(QualityArms.Scores(800, Good), seed: 7));

        Assert.Equal(GuardStatus.Worse, Guard(decision, "judge_fail_rate").Status);
        Assert.Equal(Verdict.Rollback, decision.Verdict);
        Assert.StartsWith("Rolling back: the canary's share of answers the judge failed 40 % against stable 10 %", decision.Reason, StringComparison.Ordinal);
        Assert.EndsWith("+50 % threshold.", decision.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Decide_EqualFailRates_FailRateGuardWithin()
    {
        var decision = Decide("judge_fail_rate=+50%", QualityArms.Create(QualityArms.Scores(1500, Good)), QualityArms.Create(QualityArms.Scores(1500, Good), seed: 7));

        Assert.Equal(GuardStatus.WithinThreshold, Guard(decision, "judge_fail_rate").Status);
        Assert.Equal(Verdict.Promote, decision.Verdict);
    }

    [Fact]
    public void Decide_CanaryLosesMostPairs_RollsBackOnThePairedGuard()
    {
        // 65 % of 1000 decided pairs lost, split over both arms' samples.
        var canary = QualityArms.Create(QualityArms.Scores(60, Good), pairs: (35, 50, 65));
        var stable = QualityArms.Create(QualityArms.Scores(600, Good), pairs: (315, 500, 585), seed: 7);

        var decision = Decide("paired_loss_rate=55%", canary, stable);

        var guard = Guard(decision, "paired_loss_rate");
        Assert.Equal(GuardStatus.Worse, guard.Status);
        Assert.Equal(Verdict.Rollback, decision.Verdict);
        Assert.StartsWith("Rolling back: the canary's share of lost paired comparisons 65 % of 1000 decided pairs", decision.Reason, StringComparison.Ordinal);
        Assert.EndsWith("its 55 % (absolute) threshold.", decision.Reason, StringComparison.Ordinal);
        Assert.Equal(new QualityGuardCounts(1550, 0, 0, 350, 550, 650), guard.Quality);
        Assert.Equal(1, guard.PValueWorseThanStable);
    }

    [Fact]
    public void Decide_CanaryLosesUnderTheThreshold_PairedGuardWithin()
    {
        var canary = QualityArms.Create(QualityArms.Scores(60, Good), pairs: (30, 20, 20));
        var stable = QualityArms.Create(QualityArms.Scores(600, Good), pairs: (600, 300, 450), seed: 7);

        var decision = Decide("paired_loss_rate=55%", canary, stable);

        Assert.Equal(GuardStatus.WithinThreshold, Guard(decision, "paired_loss_rate").Status);
        Assert.Equal(Verdict.Promote, decision.Verdict);
    }

    [Fact]
    public void Decide_EvenSplitOfFewPairs_HoldsInconclusive()
    {
        var canary = QualityArms.Create(QualityArms.Scores(60, Good), pairs: (10, 5, 10));
        var stable = QualityArms.Create(QualityArms.Scores(600, Good), pairs: (30, 10, 30), seed: 7);

        var decision = Decide("paired_loss_rate=55%", canary, stable);

        Assert.Equal(GuardStatus.Inconclusive, Guard(decision, "paired_loss_rate").Status);
        Assert.StartsWith("Holding: not yet enough evidence that the canary's share of lost paired comparisons 50 % of 80 decided pairs", decision.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Decide_JudgeFailsMostCalls_HoldsAndSaysTheJudgeIsUnavailable()
    {
        // Poor scores would roll back on what little was judged: an unavailable judge must not decide either way.
        var canary = QualityArms.Create(QualityArms.Scores(60, Poor), judgeFailed: 150, judgeUnparseable: 20);
        var stable = QualityArms.Create(QualityArms.Scores(60, Good), judgeFailed: 150, seed: 7);

        var decision = Decide("judge_score_mean=10%", canary, stable);

        var guard = Guard(decision, "judge_score_mean");
        Assert.Equal(GuardStatus.JudgeUnavailable, guard.Status);
        Assert.Null(guard.Comparison);
        Assert.Equal(Verdict.Hold, decision.Verdict);
        Assert.Equal(
            "Holding: the quality judge is unavailable for judge_score_mean: 320 of 440 judgements in the window failed (300) or were unparseable (20); the guard neither passes nor fails until the judge answers.",
            decision.Reason);
    }

    [Fact]
    public void Decide_NothingJudgedButSomeUnparseable_JudgeUnavailable()
    {
        var decision = Decide("judge_fail_rate=+50%", QualityArms.Create(new long[5], judgeUnparseable: 3), QualityArms.Create(new long[5]));

        Assert.Equal(GuardStatus.JudgeUnavailable, Guard(decision, "judge_fail_rate").Status);
    }

    [Fact]
    public void Decide_PairedJudgeGarbled_HoldsAndOtherVersionFailuresDoNotCount()
    {
        var garbled = QualityArms.Create(QualityArms.Scores(60, Good), pairs: (30, 10, 40), pairsUnparseable: 90);
        var decision = Decide("paired_loss_rate=55%", garbled, QualityArms.Create(QualityArms.Scores(60, Good)));
        Assert.Equal(GuardStatus.JudgeUnavailable, Guard(decision, "paired_loss_rate").Status);
        Assert.Contains("90 of 170 paired comparisons in the window failed (0) or were unparseable (90)", decision.Reason, StringComparison.Ordinal);

        // The other version failing to answer is not the judge's fault.
        var tally = new ArmQualityTally();
        for (var i = 0; i < 80; i++)
        {
            tally.AddPair(i, i % 2 == 0 ? "win" : "loss");
        }

        tally.AddUndecidedPair("other_failed", 500);
        var otherFailed = Decide("paired_loss_rate=55%", tally.Build(), QualityArms.Create(QualityArms.Scores(60, Good)));
        Assert.NotEqual(GuardStatus.JudgeUnavailable, Guard(otherFailed, "paired_loss_rate").Status);
    }

    [Fact]
    public void Evaluate_JudgeUnavailable_KeepsThePriorSequentialState()
    {
        var options = Options("judge_score_mean=10%");
        var guard = options.Guards[^1];
        var prior = new GuardSequentialState(1.5, 0.5, 2.0, double.NegativeInfinity, double.NegativeInfinity, 4);
        var canary = Arm(QualityArms.Create(QualityArms.Scores(400, Poor), judgeFailed: 1000));
        var stable = Arm(QualityArms.Create(QualityArms.Scores(400, Good), seed: 7));

        var down = GuardEvaluator.Evaluate(guard, canary, stable, prior, false, options, -Math.Log(options.RollbackAlphaPerTest), -Math.Log(options.PromotionAlpha));
        var up = GuardEvaluator.Evaluate(guard, canary with { Quality = canary.Quality! with { JudgeFailed = 0 } }, stable, prior, false, options,
            -Math.Log(options.RollbackAlphaPerTest), -Math.Log(options.PromotionAlpha));

        Assert.Equal(GuardStatus.JudgeUnavailable, down.Status);
        Assert.Equal(prior, down.State);
        Assert.Equal(GuardStatus.Worse, up.Status);
        Assert.Equal(5, up.State.Looks);
        Assert.True(up.State.MaxWorseThanMargin > prior.MaxWorseThanMargin);
    }

    [Fact]
    public void Decide_JudgeUnavailableBesideAWorseGuard_StillRollsBack()
    {
        var options = GuardSpecParser.WithGuards(Options("judge_score_mean=10%"), [Parse("judge_fail_rate=+50%")]);
        var canary = QualityArms.Create(QualityArms.Scores(800, Poor));
        var stable = QualityArms.Create(QualityArms.Scores(800, Good), seed: 7);

        // Same verdicts, but the judge failed most calls: both rubric guards hold, so nothing rolls back on them.
        var held = Decide(options, canary with { JudgeFailed = 2000 }, stable);
        Assert.All(held.Guards.Where(g => g.Key.StartsWith("judge_", StringComparison.Ordinal)), g => Assert.Equal(GuardStatus.JudgeUnavailable, g.Status));
        Assert.Equal(Verdict.Hold, held.Verdict);

        var decided = Decide(options, canary, stable);
        Assert.Equal(Verdict.Rollback, decided.Verdict);
    }

    [Fact]
    public void DefaultOptions_HaveNoQualityGuard()
    {
        Assert.DoesNotContain(new DecisionOptions().Guards, g => g.IsQuality);
        Assert.Equal(GuardOptions.DefaultQualityMinimumSamples, Parse("paired_loss_rate=55%").EffectiveMinimumSamples(new DecisionOptions()));
        Assert.Equal(1000, Parse("error_rate=+50%").EffectiveMinimumSamples(new DecisionOptions()));
    }

    private static GuardEvidence Guard(Decision decision, string key) => Assert.Single(decision.Guards, g => g.Key == key);

    private static GuardOptions Parse(string spec)
    {
        var errors = new List<string>();
        var guard = GuardSpecParser.Parse(spec, errors);
        Assert.Empty(errors);
        return guard!;
    }

    private static DecisionOptions Options(string spec) => GuardSpecParser.WithGuards(new DecisionOptions(), [Parse(spec)]);

    private static ArmEvidence Arm(ArmQuality? quality, long requests = 50_000) => TestArms.Create(requests) with { Quality = quality };

    private static Decision Decide(string spec, ArmQuality? canary, ArmQuality? stable) => Decide(Options(spec), canary, stable);

    private static Decision Decide(DecisionOptions options, ArmQuality? canary, ArmQuality? stable) =>
        new DecisionEngine(new FakeTimeProvider(StageStart + TimeSpan.FromDays(3))).Decide(options, new DecisionInput
        {
            StageIndex = 0,
            StageStartedAt = StageStart,
            Canary = Arm(canary, 50_000),
            Stable = Arm(stable, 950_000),
        });
}
