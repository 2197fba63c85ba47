using Canary.Analyzer.Statistics;

namespace Canary.Analyzer.Decisions;

/// <summary>
/// The quality guards' tests, on the judge's verdicts of the window's quality samples (<see cref="ArmQuality"/>), with
/// users as the independent units as everywhere else:
/// <list type="bullet">
/// <item><c>judge_score_mean</c>: ln(stable mean / canary mean) with each arm's user-level variance of its mean score
/// (delete-a-group jackknife over user groups, pooled between-user spread, small-sample t correction), in the normal
/// mixture test, against the margin 1 / (1 − threshold).</item>
/// <item><c>judge_fail_rate</c>: the rate-ratio test of the rate guards on failed over judged samples.</item>
/// <item><c>paired_loss_rate</c>: a one-sample always-valid test (Beta-mixture, <see cref="BernoulliMixtureTest"/>) of the
/// share of losses among decided pairs against the absolute threshold, on counts deflated by the design effect of the
/// pairs' user groups times the small-sample factor.</item>
/// </list>
/// Each guard first checks its judge: when more than half of what the judge was asked in the window is unusable, the
/// guard is <see cref="GuardStatus.JudgeUnavailable"/> and keeps its prior sequential state.
/// </summary>
internal static class QualityGuardEvaluator
{
    /// <summary>
    /// Smallest mixture spread on the log-odds scale for the paired test: with a threshold near an even split the
    /// distance |logit(threshold)| would tune the mixture to vanishing effects.
    /// </summary>
    private const double MinimumPairedTau = 0.2;

    public static GuardEvidence Evaluate(
        GuardOptions guard,
        ArmEvidence canary,
        ArmEvidence stable,
        GuardSequentialState prior,
        bool withinInEarlierStage,
        DecisionOptions options,
        double rollbackLevel,
        double promotionLevel)
    {
        var c = canary.Quality ?? ArmQuality.Empty;
        var s = stable.Quality ?? ArmQuality.Empty;
        return guard.Metric == GuardMetric.PairedLossRate
            ? Paired(guard, c, s, prior, withinInEarlierStage, options, rollbackLevel, promotionLevel)
            : Rubric(guard, c, s, prior, withinInEarlierStage, options, rollbackLevel, promotionLevel);
    }

    private static GuardEvidence Rubric(
        GuardOptions guard,
        ArmQuality c,
        ArmQuality s,
        GuardSequentialState prior,
        bool withinInEarlierStage,
        DecisionOptions options,
        double rollbackLevel,
        double promotionLevel)
    {
        var counts = new QualityGuardCounts(c.JudgementsAttempted + s.JudgementsAttempted, c.JudgeFailed + s.JudgeFailed, c.JudgeUnparseable + s.JudgeUnparseable);
        var canarySamples = c.Judged;
        var stableSamples = s.Judged;
        if (counts.JudgeUnavailable)
        {
            return Hold(guard, GuardStatus.JudgeUnavailable, canarySamples, stableSamples, prior, counts);
        }

        var minimum = guard.EffectiveMinimumSamples(options);
        if (canarySamples < minimum || stableSamples < minimum)
        {
            return Hold(guard, GuardStatus.InsufficientSamples, canarySamples, stableSamples, prior, counts);
        }

        var hypotheses = RatioHypotheses.ForMargin(guard.MarginRatio, guard.ClearlyBetterRatio, options.RollbackAlphaPerTest);
        if (guard.Metric == GuardMetric.JudgeFailRate)
        {
            var rates = GuardEvaluator.CompareRates(
                guard, c.Fails, canarySamples, s.Fails, stableSamples,
                new GroupedRatio(c.FailsByGroup, c.JudgedByGroup), new GroupedRatio(s.FailsByGroup, s.JudgedByGroup), hypotheses, options);
            return rates.TooFewUsers
                ? Hold(guard, GuardStatus.InsufficientUsers, canarySamples, stableSamples, prior, counts, rates.UserLevel)
                : GuardEvaluator.Conclude(guard, rates.Comparison, rates.BelowFloor, canarySamples, stableSamples, rates.UserLevel, prior,
                    withinInEarlierStage, rollbackLevel, promotionLevel) with { Quality = counts };
        }

        var canaryGroups = new GroupedRatio(c.ScoreSumByGroup, c.JudgedByGroup);
        var stableGroups = new GroupedRatio(s.ScoreSumByGroup, s.JudgedByGroup);
        if (GuardEvaluator.TooFewUsers(options, canaryGroups, stableGroups) is { } few)
        {
            return Hold(guard, GuardStatus.InsufficientUsers, canarySamples, stableSamples, prior, counts, few);
        }

        var canaryMean = c.ScoreMean;
        var stableMean = s.ScoreMean;
        var pooled = PooledHeterogeneity.Combine(
            new ArmLogVariance(IndependentLogVariance(c), ClusteredLogVariance(canaryGroups), canaryGroups.EffectiveGroups),
            new ArmLogVariance(IndependentLogVariance(s), ClusteredLogVariance(stableGroups), stableGroups.EffectiveGroups));
        var userLevel = GuardEvaluator.Variance(canaryGroups, stableGroups, pooled.CanaryDesignEffect, pooled.StableDesignEffect);

        // Lower scores are worse: the ratio tested is stable/canary, so "worse" is "larger" as for every other guard.
        // The record keeps each arm's own mean as its value.
        var comparison = GuardEvaluator.Corrected(stableMean, canaryMean, pooled.Canary + pooled.Stable, pooled.DegreesOfFreedom, hypotheses, options)
            with { CanaryValue = canaryMean, StableValue = stableMean };
        return GuardEvaluator.Conclude(guard, comparison, double.NegativeInfinity, canarySamples, stableSamples, userLevel, prior,
            withinInEarlierStage, rollbackLevel, promotionLevel) with { Quality = counts };
    }

    private static GuardEvidence Paired(
        GuardOptions guard,
        ArmQuality c,
        ArmQuality s,
        GuardSequentialState prior,
        bool withinInEarlierStage,
        DecisionOptions options,
        double rollbackLevel,
        double promotionLevel)
    {
        var wins = c.Wins + s.Wins;
        var losses = c.Losses + s.Losses;
        var counts = new QualityGuardCounts(
            c.PairsAttempted + s.PairsAttempted, c.PairsFailed + s.PairsFailed, c.PairsUnparseable + s.PairsUnparseable, wins, c.Ties + s.Ties, losses);
        var canarySamples = c.Decided;
        var stableSamples = s.Decided;
        if (counts.JudgeUnavailable)
        {
            return Hold(guard, GuardStatus.JudgeUnavailable, canarySamples, stableSamples, prior, counts);
        }

        var decided = wins + losses;
        if (decided < guard.EffectiveMinimumSamples(options))
        {
            return Hold(guard, GuardStatus.InsufficientSamples, canarySamples, stableSamples, prior, counts);
        }

        // Both arms' samples are pairs of the same two versions; their users' groups (bucket mod 32, the same mapping as
        // the telemetry's) are the independent units of the one pooled share.
        var groupDecided = new double[c.DecidedByGroup.Length];
        var groupLosses = new double[groupDecided.Length];
        for (var g = 0; g < groupDecided.Length; g++)
        {
            groupDecided[g] = c.DecidedByGroup[g] + s.DecidedByGroup[g];
            groupLosses[g] = c.LossesByGroup[g] + s.LossesByGroup[g];
        }

        var grouped = new GroupedRatio(groupLosses, groupDecided);
        if (grouped.NonEmptyGroups < options.MinimumGroupsPerArm)
        {
            return Hold(guard, GuardStatus.InsufficientUsers, canarySamples, stableSamples, prior, counts,
                new UserLevelVariance(grouped.NonEmptyGroups, grouped.NonEmptyGroups, grouped.EffectiveGroups, grouped.EffectiveGroups, 1, 1));
        }

        var threshold = guard.Threshold;
        var effect = DesignEffect.ForProportion(grouped);
        var df = grouped.EffectiveGroups - 1;
        var rollback = effect * SmallSampleCorrection.VarianceFactor(df, options.RollbackAlphaPerTest);
        var promotion = effect * SmallSampleCorrection.VarianceFactor(df, options.PromotionAlpha);
        var tau = Math.Max(MinimumPairedTau, Math.Abs(Logit(threshold)));
        var worse = BernoulliMixtureTest.LogEvidence(losses / rollback, wins / rollback, threshold, Alternative.Greater, tau);
        var within = BernoulliMixtureTest.LogEvidence(losses / promotion, wins / promotion, threshold, Alternative.Less, tau);

        // For people reading the record: the share's always-valid interval on the log-odds scale (Haldane-corrected),
        // as ratios to the threshold.
        var share = (double)losses / decided;
        var smoothed = (losses + 0.5) / (decided + 1.0);
        var logOddsVariance = rollback / ((decided + 1.0) * smoothed * (1 - smoothed));
        var halfWidth = NormalMixtureTest.HalfWidth(logOddsVariance, tau, options.RollbackAlphaPerTest);
        var comparison = new RatioEvidence(
            share,
            threshold,
            share / threshold,
            Logistic(Logit(smoothed) - halfWidth) / threshold,
            Logistic(Logit(smoothed) + halfWidth) / threshold,
            double.NegativeInfinity,
            worse,
            within,
            double.NaN);
        var userLevel = new UserLevelVariance(grouped.NonEmptyGroups, grouped.NonEmptyGroups, grouped.EffectiveGroups, grouped.EffectiveGroups, effect, effect);
        return GuardEvaluator.Conclude(guard, comparison, double.NegativeInfinity, canarySamples, stableSamples, userLevel, prior,
            withinInEarlierStage, rollbackLevel, promotionLevel) with { Quality = counts };
    }

    /// <summary>Var(ln mean score) for independent samples: s²/(n·x̄²), with one pseudo squared deviation of a point so that a run of identical scores does not claim certainty.</summary>
    private static double IndependentLogVariance(ArmQuality arm)
    {
        var n = arm.Judged;
        var mean = arm.ScoreMean;
        var squares = (double.IsNaN(arm.ScoreVariance) ? 0 : arm.ScoreVariance * (n - 1)) + 1;
        return squares / n / n / (mean * mean);
    }

    private static double ClusteredLogVariance(GroupedRatio scores)
    {
        var mean = scores.Ratio;
        return scores.JackknifeVariance() / (mean * mean);
    }

    private static double Logit(double p) => Math.Log(p / (1 - p));

    private static double Logistic(double x) => 1 / (1 + Math.Exp(-x));

    private static GuardEvidence Hold(
        GuardOptions guard,
        GuardStatus status,
        long canarySamples,
        long stableSamples,
        GuardSequentialState prior,
        QualityGuardCounts counts,
        UserLevelVariance? userLevel = null) =>
        GuardEvaluator.Unevaluated(guard, status, canarySamples, stableSamples, prior, userLevel) with { Quality = counts };
}
