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
        var hypotheses = RatioHypotheses.ForMargin(1 + guard.Threshold, guard.ClearlyBetterRatio, options.RollbackAlphaPerTest);
        var minimum = guard.MinimumSamples ?? options.MinimumSamplesPerArm;
        RatioEvidence comparison;
        long canarySamples;
        long stableSamples;
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

            comparison = RateRatioTest.Compare(canaryEvents, canarySamples, stableEvents, stableSamples, hypotheses);
            if (guard.AbsoluteRateFloor > 0)
            {
                belowFloor = BernoulliMixtureTest.LogEvidence(
                    canaryEvents, canarySamples - canaryEvents, guard.AbsoluteRateFloor, Alternative.Less, hypotheses.Tau);
            }
        }
        else if (guard.Metric is GuardMetric.CostPerSuccessfulRequest
                 || (guard.Metric is GuardMetric.CostPerRequest && canary.RepricedCost is not null && stable.RepricedCost is not null))
        {
            var c = CostEstimate(guard.Metric, canary);
            var s = CostEstimate(guard.Metric, stable);
            if (c is null && s is null)
            {
                return Unevaluated(guard, GuardStatus.NotApplicable, 0, 0, prior);
            }

            canarySamples = c?.Count ?? 0;
            stableSamples = s?.Count ?? 0;
            if (canarySamples < minimum || stableSamples < minimum)
            {
                return Unevaluated(guard, GuardStatus.InsufficientSamples, canarySamples, stableSamples, prior);
            }

            var ce = c!.Value;
            var se = s!.Value;
            if (!(ce.Mean > 0) || !(se.Mean > 0) || !double.IsFinite(ce.LogVariance) || !double.IsFinite(se.LogVariance))
            {
                return Unevaluated(guard, GuardStatus.Inconclusive, canarySamples, stableSamples, prior);
            }

            comparison = LogRatioTest.FromLogRatio(ce.Mean, se.Mean, ce.LogVariance + se.LogVariance, hypotheses);
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

            comparison = guard.IsQuantile
                ? QuantileRatioTest.Compare(c, s, guard.Quantile, hypotheses)
                : MeanRatioTest.Compare(c, s, hypotheses);
        }

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
        };
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

    /// <summary>Mean cost per request (re-priced when there is a price, else the sidecar's), or spread over the successes.</summary>
    internal static MeanEstimate? CostEstimate(GuardMetric metric, ArmEvidence arm)
    {
        var perRequest = arm.RepricedCost ?? (arm.Cost is { Count: > 1 } cost ? MeanEstimate.FromMoments(cost.Mean(), cost.Variance(), cost.Count) : null);
        if (perRequest is not { } estimate || metric == GuardMetric.CostPerRequest)
        {
            return perRequest;
        }

        return estimate.PerSuccess(arm.Successes, arm.Requests);
    }

    private static GuardEvidence Unevaluated(GuardOptions guard, GuardStatus status, long canarySamples, long stableSamples, GuardSequentialState prior) => new()
    {
        Key = guard.Key,
        Metric = guard.Metric,
        Threshold = guard.Threshold,
        ClearlyBetterRatio = guard.ClearlyBetterRatio,
        Status = status,
        CanarySamples = canarySamples,
        StableSamples = stableSamples,
        State = prior,
    };
}
