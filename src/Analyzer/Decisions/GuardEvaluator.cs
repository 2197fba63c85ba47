using Canary.Analyzer.Statistics;

namespace Canary.Analyzer.Decisions;

/// <summary>Runs one guard's sequential tests on both arms and folds the result into the stage's running maxima.</summary>
internal static class GuardEvaluator
{
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
        if (guard.IsQuality)
        {
            return QualityGuardEvaluator.Evaluate(guard, canary, stable, prior, withinInEarlierStage, options, rollbackLevel, promotionLevel);
        }

        var hypotheses = RatioHypotheses.ForMargin(guard.MarginRatio, guard.ClearlyBetterRatio, options.RollbackAlphaPerTest);
        var minimum = guard.EffectiveMinimumSamples(options);

        // Users are the randomization unit: with per-group telemetry in both arms every variance is a user-level one.
        var canaryGroups = canary.Groups is not null && stable.Groups is not null ? canary.Groups : null;
        var stableGroups = canaryGroups is null ? null : stable.Groups;
        RatioEvidence comparison;
        long canarySamples;
        long stableSamples;
        UserLevelVariance? userLevel = null;
        var belowFloor = double.NegativeInfinity;
        if (guard.IsRate)
        {
            var (canaryEvents, canaryTrials) = Rate(guard.Metric, canary);
            var (stableEvents, stableTrials) = Rate(guard.Metric, stable);
            canarySamples = canaryTrials;
            stableSamples = stableTrials;
            if (guard.Metric is GuardMetric.LengthFinishRate or GuardMetric.NegativeFeedbackRate && (canaryTrials == 0 || stableTrials == 0))
            {
                // No finish reasons (not an LLM API) or no feedback in one arm: nothing to compare, the guard does not apply.
                return Unevaluated(guard, GuardStatus.NotApplicable, canarySamples, stableSamples, prior);
            }

            if (canarySamples < minimum || stableSamples < minimum)
            {
                return Unevaluated(guard, GuardStatus.InsufficientSamples, canarySamples, stableSamples, prior);
            }

            var rates = CompareRates(
                guard, canaryEvents, canarySamples, stableEvents, stableSamples,
                canaryGroups is not null ? RateGroups(guard.Metric, canaryGroups) : null,
                stableGroups is not null ? RateGroups(guard.Metric, stableGroups) : null,
                hypotheses, options);
            if (rates.TooFewUsers)
            {
                return Unevaluated(guard, GuardStatus.InsufficientUsers, canarySamples, stableSamples, prior, rates.UserLevel);
            }

            (comparison, belowFloor, userLevel) = (rates.Comparison, rates.BelowFloor, rates.UserLevel);
        }
        else if (guard.Metric is GuardMetric.CostPerSuccessfulRequest
                 || (guard.Metric is GuardMetric.CostPerRequest && canary.RepricedCost is not null && stable.RepricedCost is not null))
        {
            var c = CostEstimate(guard.Metric, canary, canaryGroups);
            var s = CostEstimate(guard.Metric, stable, stableGroups);
            if (c is null && s is null)
            {
                return Unevaluated(guard, GuardStatus.NotApplicable, 0, 0, prior);
            }

            canarySamples = c?.Estimate.Count ?? 0;
            stableSamples = s?.Estimate.Count ?? 0;
            if (canarySamples < minimum || stableSamples < minimum)
            {
                return Unevaluated(guard, GuardStatus.InsufficientSamples, canarySamples, stableSamples, prior);
            }

            var ce = c!.Value;
            var se = s!.Value;
            if (!(ce.Estimate.Mean > 0) || !(se.Estimate.Mean > 0) || !double.IsFinite(ce.Estimate.LogVariance) || !double.IsFinite(se.Estimate.LogVariance))
            {
                return Unevaluated(guard, GuardStatus.Inconclusive, canarySamples, stableSamples, prior);
            }

            var canaryVariance = ce.Estimate.LogVariance;
            var stableVariance = se.Estimate.LogVariance;
            var df = double.PositiveInfinity;
            if (ce.Groups is { } cr && se.Groups is { } sr)
            {
                if (TooFewUsers(options, cr, sr) is { } few)
                {
                    return Unevaluated(guard, GuardStatus.InsufficientUsers, canarySamples, stableSamples, prior, few);
                }

                var pooled = PooledHeterogeneity.Combine(
                    new ArmLogVariance(canaryVariance, ce.ClusteredLogVariance, cr.EffectiveGroups),
                    new ArmLogVariance(stableVariance, se.ClusteredLogVariance, sr.EffectiveGroups));
                userLevel = Variance(cr, sr, pooled.CanaryDesignEffect, pooled.StableDesignEffect);
                (canaryVariance, stableVariance, df) = (pooled.Canary, pooled.Stable, pooled.DegreesOfFreedom);
            }

            comparison = Corrected(ce.Estimate.Mean, se.Estimate.Mean, canaryVariance + stableVariance, df, hypotheses, options);
        }
        else
        {
            var canaryDistribution = Distribution(guard.Metric, canary);
            var stableDistribution = Distribution(guard.Metric, stable);
            canarySamples = canaryDistribution?.Count ?? 0;
            stableSamples = stableDistribution?.Count ?? 0;
            if (canarySamples == 0 && stableSamples == 0)
            {
                return Unevaluated(guard, GuardStatus.NotApplicable, 0, 0, prior);
            }

            if (canarySamples < minimum || stableSamples < minimum)
            {
                return Unevaluated(guard, GuardStatus.InsufficientSamples, canarySamples, stableSamples, prior);
            }

            var c = canaryDistribution!;
            var s = stableDistribution!;
            var canaryValue = guard.IsQuantile ? c.Quantile(guard.Quantile) : c.Mean();
            var stableValue = guard.IsQuantile ? s.Quantile(guard.Quantile) : s.Mean();
            if (!(canaryValue > 0) || !(stableValue > 0))
            {
                // Ratios of non-positive values mean nothing; such a guard can neither pass nor fail.
                return Unevaluated(guard, GuardStatus.Inconclusive, canarySamples, stableSamples, prior);
            }

            var cg = canaryGroups is null ? null : Distribution(guard.Metric, canaryGroups);
            var sg = stableGroups is null ? null : Distribution(guard.Metric, stableGroups);
            if (guard.IsQuantile && cg is not null && sg is not null && !(cg.HasBins && sg.HasBins))
            {
                // Group counts without group histograms give no user-level variance for a quantile.
                cg = null;
                sg = null;
            }

            var canaryVariance = ArmLogVariance(guard, c, canaryValue, null);
            var stableVariance = ArmLogVariance(guard, s, stableValue, null);
            var df = double.PositiveInfinity;
            if (cg is not null && sg is not null)
            {
                var cm = cg.Mean();
                var sm = sg.Mean();
                if (TooFewUsers(options, cm, sm) is { } few)
                {
                    return Unevaluated(guard, GuardStatus.InsufficientUsers, canarySamples, stableSamples, prior, few);
                }

                var pooled = PooledHeterogeneity.Combine(
                    new ArmLogVariance(canaryVariance, ArmLogVariance(guard, c, canaryValue, cg), cm.EffectiveGroups),
                    new ArmLogVariance(stableVariance, ArmLogVariance(guard, s, stableValue, sg), sm.EffectiveGroups));
                userLevel = Variance(cm, sm, pooled.CanaryDesignEffect, pooled.StableDesignEffect);
                (canaryVariance, stableVariance, df) = (pooled.Canary, pooled.Stable, pooled.DegreesOfFreedom);
            }

            if (!double.IsFinite(canaryVariance) || !double.IsFinite(stableVariance))
            {
                return Unevaluated(guard, GuardStatus.Inconclusive, canarySamples, stableSamples, prior, userLevel);
            }

            comparison = Corrected(canaryValue, stableValue, canaryVariance + stableVariance, df, hypotheses, options);
        }

        return Conclude(guard, comparison, belowFloor, canarySamples, stableSamples, userLevel, prior, withinInEarlierStage, rollbackLevel, promotionLevel);
    }

    /// <summary>
    /// Folds one look's comparison into the stage's running maxima and decides the guard's status from them: worse when
    /// shown beyond its threshold, or worse than stable while never shown within it; within (or clearly better) once
    /// shown so at the promotion level.
    /// </summary>
    internal static GuardEvidence Conclude(
        GuardOptions guard,
        RatioEvidence comparison,
        double belowFloor,
        long canarySamples,
        long stableSamples,
        UserLevelVariance? userLevel,
        GuardSequentialState prior,
        bool withinInEarlierStage,
        double rollbackLevel,
        double promotionLevel)
    {
        var state = new GuardSequentialState(
            Math.Max(prior.MaxWorseThanStable, comparison.LogEvidenceWorseThanStable),
            Math.Max(prior.MaxWorseThanMargin, comparison.LogEvidenceWorseThanMargin),
            Math.Max(prior.MaxWithinMargin, comparison.LogEvidenceWithinMargin),
            double.IsNaN(comparison.LogEvidenceClearlyBetter) ? prior.MaxClearlyBetter : Math.Max(prior.MaxClearlyBetter, comparison.LogEvidenceClearlyBetter),
            Math.Max(prior.MaxBelowFloor, belowFloor),
            prior.Looks + 1);

        var worseThanStable = state.MaxWorseThanStable >= rollbackLevel;
        var worseThanMargin = state.MaxWorseThanMargin >= rollbackLevel;
        var within = state.MaxWithinMargin >= promotionLevel || state.MaxBelowFloor >= promotionLevel;
        var better = state.MaxClearlyBetter >= promotionLevel;
        // Shown within its threshold once (here or in an earlier stage), a guard is rolled back only when shown beyond it.
        var status = worseThanMargin || (worseThanStable && !within && !withinInEarlierStage)
            ? GuardStatus.Worse
            : within ? (better ? GuardStatus.ClearlyBetter : GuardStatus.WithinThreshold) : GuardStatus.Inconclusive;

        return new GuardEvidence
        {
            Key = guard.Key,
            Metric = guard.Metric,
            Threshold = guard.Threshold,
            ClearlyBetterRatio = guard.ClearlyBetterRatio,
            Status = status,
            CanarySamples = canarySamples,
            StableSamples = stableSamples,
            Comparison = comparison,
            PValueWorseThanStable = RatioEvidence.PValue(state.MaxWorseThanStable),
            PValueWorseThanMargin = RatioEvidence.PValue(state.MaxWorseThanMargin),
            PValueWithinMargin = RatioEvidence.PValue(state.MaxWithinMargin),
            PValueClearlyBetter = RatioEvidence.PValue(state.MaxClearlyBetter),
            PValueBelowFloor = RatioEvidence.PValue(state.MaxBelowFloor),
            State = state,
            UserLevel = userLevel,
        };
    }

    /// <summary>
    /// The rate-ratio comparison of canary and stable events over trials, with user-level design effects and the
    /// small-sample correction when both arms have groups (the Rao–Scott adjusted conditional test, see
    /// <see cref="RateRatioTest"/>), and the one-sample test of the canary's rate below the guard's floor.
    /// <see cref="RateComparison.TooFewUsers"/> when the groups are too few to estimate a user-level variance.
    /// </summary>
    internal static RateComparison CompareRates(
        GuardOptions guard,
        long canaryEvents,
        long canarySamples,
        long stableEvents,
        long stableSamples,
        GroupedRatio? canaryGroups,
        GroupedRatio? stableGroups,
        RatioHypotheses hypotheses,
        DecisionOptions options)
    {
        // Without user groups the design effects are 1 and the tests are the exact request-level ones; so is a guard
        // whose counters lack groups in some row.
        double canaryEffect = 1;
        double stableEffect = 1;
        double rollbackFactor = 1;
        double promotionFactor = 1;
        UserLevelVariance? userLevel = null;
        if (canaryGroups is { } c && stableGroups is { } s)
        {
            if (TooFewUsers(options, c, s) is { } few)
            {
                return new RateComparison(default, double.NegativeInfinity, few, true);
            }

            var pooled = PooledHeterogeneity.Combine(RateLogVariance(c), RateLogVariance(s));
            canaryEffect = pooled.CanaryDesignEffect;
            stableEffect = pooled.StableDesignEffect;
            userLevel = Variance(c, s, canaryEffect, stableEffect);
            rollbackFactor = SmallSampleCorrection.VarianceFactor(pooled.DegreesOfFreedom, options.RollbackAlphaPerTest);
            promotionFactor = SmallSampleCorrection.VarianceFactor(pooled.DegreesOfFreedom, options.PromotionAlpha);
        }

        var comparison = RateRatioTest.Compare(
            canaryEvents, canarySamples, stableEvents, stableSamples, hypotheses, canaryEffect * rollbackFactor, stableEffect * rollbackFactor);
        if (promotionFactor != rollbackFactor)
        {
            comparison = WithPromotionEvidence(comparison, RateRatioTest.Compare(
                canaryEvents, canarySamples, stableEvents, stableSamples, hypotheses, canaryEffect * promotionFactor, stableEffect * promotionFactor));
        }

        var belowFloor = double.NegativeInfinity;
        if (guard.AbsoluteRateFloor > 0)
        {
            var d = canaryEffect * promotionFactor;
            belowFloor = BernoulliMixtureTest.LogEvidence(
                canaryEvents / d, (canarySamples - canaryEvents) / d, guard.AbsoluteRateFloor, Alternative.Less, hypotheses.Tau);
        }

        return new RateComparison(comparison, belowFloor, userLevel, false);
    }

    /// <summary>
    /// The normal-mixture comparison of ln(canary/stable) with variance <paramref name="variance"/>, widened for the t
    /// tails of a user-level variance with <paramref name="degreesOfFreedom"/>: the rollback tests at their level, the
    /// promotion tests at theirs.
    /// </summary>
    internal static RatioEvidence Corrected(
        double canaryValue,
        double stableValue,
        double variance,
        double degreesOfFreedom,
        RatioHypotheses hypotheses,
        DecisionOptions options)
    {
        var rollback = SmallSampleCorrection.VarianceFactor(degreesOfFreedom, options.RollbackAlphaPerTest);
        var promotion = SmallSampleCorrection.VarianceFactor(degreesOfFreedom, options.PromotionAlpha);
        var comparison = LogRatioTest.FromLogRatio(canaryValue, stableValue, variance * rollback, hypotheses);
        return promotion == rollback
            ? comparison
            : WithPromotionEvidence(comparison, LogRatioTest.FromLogRatio(canaryValue, stableValue, variance * promotion, hypotheses));
    }

    /// <summary>
    /// The user groups behind a guard when too few of them have samples in either arm to estimate a between-user spread
    /// (fewer non-empty groups than the minimum); null when there are enough.
    /// </summary>
    internal static UserLevelVariance? TooFewUsers(DecisionOptions options, GroupedRatio canary, GroupedRatio stable) =>
        canary.NonEmptyGroups < options.MinimumGroupsPerArm || stable.NonEmptyGroups < options.MinimumGroupsPerArm
            ? Variance(canary, stable, 1, 1)
            : null;

    /// <summary>Var(ln rate) of one arm: independent (Poisson, Haldane-corrected) and from its groups.</summary>
    private static ArmLogVariance RateLogVariance(GroupedRatio events)
    {
        var rate = events.Ratio;
        var independent = (1 - Math.Min(rate, 1)) / (events.Numerator + 0.5);
        var clustered = rate > 0 ? events.JackknifeVariance() / (rate * rate) : independent;
        return new ArmLogVariance(independent, clustered, events.EffectiveGroups);
    }

    /// <summary>The rollback side (estimates, interval, worse tests) of one comparison with the promotion tests of another.</summary>
    private static RatioEvidence WithPromotionEvidence(RatioEvidence rollback, RatioEvidence promotion) => rollback with
    {
        LogEvidenceWithinMargin = promotion.LogEvidenceWithinMargin,
        LogEvidenceClearlyBetter = promotion.LogEvidenceClearlyBetter,
    };

    /// <summary>Var(ln estimate) of one arm: Woodruff for quantiles, s²/n for means, user-level with <paramref name="groups"/>.</summary>
    private static double ArmLogVariance(GuardOptions guard, BucketedDistribution distribution, double value, GroupedDistribution? groups) =>
        guard.IsQuantile
            ? QuantileRatioTest.LogQuantileVariance(distribution, guard.Quantile, value, groups)
            : MeanRatioTest.LogMeanVariance(distribution, value, groups);

    internal static UserLevelVariance Variance(GroupedRatio canary, GroupedRatio stable, double canaryEffect, double stableEffect) =>
        new(canary.NonEmptyGroups, stable.NonEmptyGroups, canary.EffectiveGroups, stable.EffectiveGroups, canaryEffect, stableEffect);

    private static GroupedDistribution? Distribution(GuardMetric metric, ArmGroups groups) => metric switch
    {
        GuardMetric.Latency => groups.Latency,
        GuardMetric.TimeToFirstToken => groups.TimeToFirstToken,
        GuardMetric.TimePerOutputToken => groups.TimePerOutputToken,
        GuardMetric.CostPerRequest => groups.Cost,
        GuardMetric.OutputTokens => groups.OutputTokens,
        _ => null,
    };

    /// <summary>A rate guard's events over trials per user group; null when the arm lacks groups for its counters.</summary>
    private static GroupedRatio? RateGroups(GuardMetric metric, ArmGroups groups)
    {
        switch (metric)
        {
            case GuardMetric.ErrorRate:
                return new GroupedRatio(groups.Errors, groups.Requests);
            case GuardMetric.RefusalRate:
                return new GroupedRatio(groups.Refusals, groups.Requests);
            case GuardMetric.LengthFinishRate:
                return groups.FinishLength is { } length && groups.FinishReasons is { } finished ? new GroupedRatio(length, finished) : null;
            case GuardMetric.NegativeFeedbackRate:
                if (groups.FeedbackNegative is not { } negative || groups.FeedbackPositive is not { } positive)
                {
                    return null;
                }

                var rated = new double[groups.Count];
                for (var g = 0; g < rated.Length; g++)
                {
                    rated[g] = negative[g] + positive[g];
                }

                return new GroupedRatio(negative, rated);
            default:
                throw new ArgumentOutOfRangeException(nameof(metric), metric, "Not a rate guard.");
        }
    }

    private static BucketedDistribution? Distribution(GuardMetric metric, ArmEvidence arm) => metric switch
    {
        GuardMetric.Latency => arm.Latency,
        GuardMetric.TimeToFirstToken => arm.TimeToFirstToken,
        GuardMetric.TimePerOutputToken => arm.TimePerOutputToken,
        GuardMetric.CostPerRequest => arm.Cost,
        GuardMetric.OutputTokens => arm.OutputTokenDistribution,
        _ => null,
    };

    private static (long Events, long Trials) Rate(GuardMetric metric, ArmEvidence arm) => metric switch
    {
        GuardMetric.ErrorRate => (arm.Errors, arm.Requests),
        GuardMetric.RefusalRate => (arm.Refusals, arm.Requests),
        GuardMetric.LengthFinishRate => (arm.FinishReasons.Length, arm.FinishReasons.Total),
        GuardMetric.NegativeFeedbackRate => (arm.FeedbackNegative, arm.FeedbackPositive + arm.FeedbackNegative),
        _ => throw new ArgumentOutOfRangeException(nameof(metric), metric, "Not a rate guard."),
    };

    /// <summary>
    /// Mean cost per request (re-priced when there is a price, else the sidecar's), or spread over the successes, with
    /// Var(ln mean) for independent requests; with <paramref name="groups"/> also the ratio over user groups it is and the
    /// jackknife Var(ln mean) over them.
    /// </summary>
    internal static CostEstimateResult? CostEstimate(GuardMetric metric, ArmEvidence arm, ArmGroups? groups = null)
    {
        var perRequest = arm.RepricedCost ?? (arm.Cost is { Count: > 1 } cost ? MeanEstimate.FromMoments(cost.Mean(), cost.Variance(), cost.Count) : null);
        if (perRequest is not { } estimate)
        {
            return null;
        }

        // Spend per group: re-priced from the group's tokens when the arm was re-priced, else the sidecar's recorded cost.
        var spend = arm.RepricedCost is not null ? groups?.RepricedSpend : groups?.Cost?.Sums;
        var priced = arm.RepricedCost is not null ? groups?.RepricedRequests : groups?.Cost?.Counts;
        if (metric != GuardMetric.CostPerRequest)
        {
            estimate = estimate.PerSuccess(arm.Successes, arm.Requests);
            priced = groups?.Successes;
        }

        if (spend is null || priced is null)
        {
            return new CostEstimateResult(estimate, null, double.NaN);
        }

        // Spend over requests (or successes) per group: the covariance of spend and success is measured, not left out.
        var ratio = new GroupedRatio(spend, priced);
        return new CostEstimateResult(estimate, ratio, MeanEstimate.FromGroups(ratio, estimate.Count).LogVariance);
    }

    internal static GuardEvidence Unevaluated(
        GuardOptions guard,
        GuardStatus status,
        long canarySamples,
        long stableSamples,
        GuardSequentialState prior,
        UserLevelVariance? userLevel = null) => new()
    {
        Key = guard.Key,
        Metric = guard.Metric,
        Threshold = guard.Threshold,
        ClearlyBetterRatio = guard.ClearlyBetterRatio,
        Status = status,
        CanarySamples = canarySamples,
        StableSamples = stableSamples,
        State = prior,
        UserLevel = userLevel,
    };
}
