using System.Text.Json;
using Canary.Analyzer.Decisions;

namespace Canary.Analyzer.Rollouts;

/// <summary>The audit record's evidence: samples per arm, each guard's estimate, interval, p-values and threshold.</summary>
internal static class DecisionEvidenceJson
{
    public static string Write(Decision decision) => Write(decision, null);

    /// <summary>The evidence, with the requests of the same window that were not part of the comparison when known.</summary>
    public static string Write(Decision decision, OffComparisonTraffic? offComparison) => JsonSerializer.Serialize(
        new EvidenceRecordJson
        {
            Canary = Arm(decision.CanaryEvidence),
            Stable = Arm(decision.StableEvidence),
            Split = decision.Split is { } split ? new SplitJson(split.ToString()) : null,
            BucketSplit = decision.BucketSplit is { } buckets
                ? new BucketSplitJson(buckets.OccupiedCanary, buckets.OccupiedStable, new(buckets.ObservedShare), buckets.ExpectedShare, new(buckets.PValue), decision.MisassignedBuckets)
                : null,
            FinishReasonMix = decision.FinishReasonMix is { } mix ? new FinishReasonMixJson(new(mix.G), mix.DegreesOfFreedom, new(mix.PValue)) : null,
            RollbackAlphaPerTest = decision.RollbackAlphaPerTest,
            PromotionAlpha = decision.PromotionAlpha,
            Guards = [.. decision.Guards.Select(Guard)],
            OffComparison = offComparison?.ToJson(),
        },
        RolloutsJsonContext.Default.EvidenceRecordJson);

    private static GuardEvidenceJson Guard(GuardEvidence guard) => new()
    {
        Key = guard.Key,
        Metric = guard.Metric.ToString(),
        Status = guard.Status.ToString(),
        Threshold = guard.Threshold,
        CanarySamples = guard.CanarySamples,
        StableSamples = guard.StableSamples,
        CanaryValue = guard.Comparison is { } c ? new(c.CanaryValue) : null,
        StableValue = guard.Comparison is { } s ? new(s.StableValue) : null,
        Ratio = guard.Comparison is { } r ? new(r.Ratio) : null,
        RatioLower = guard.Comparison is { } l ? new(l.LowerBound) : null,
        RatioUpper = guard.Comparison is { } u ? new(u.UpperBound) : null,
        PWorseThanStable = new(guard.PValueWorseThanStable),
        PWorseThanMargin = new(guard.PValueWorseThanMargin),
        PWithinMargin = new(guard.PValueWithinMargin),
        PClearlyBetter = new(guard.PValueClearlyBetter),
        UserLevel = guard.UserLevel is { } users
            ? new UserLevelJson(users.CanaryGroups, users.StableGroups, new(users.CanaryEffectiveGroups), new(users.StableEffectiveGroups), new(users.CanaryDesignEffect), new(users.StableDesignEffect))
            : null,
        Quality = guard.Quality is { } q
            ? new QualityGuardJson
            {
                Attempted = q.Attempted,
                Failed = q.Failed,
                Unparseable = q.Unparseable,
                JudgeUnavailable = q.JudgeUnavailable,
                Wins = q.Wins,
                Ties = q.Ties,
                Losses = q.Losses,
            }
            : null,
    };

    private static ArmEvidenceJson Arm(ArmEvidence arm)
    {
        var latency = arm.Latency is { Count: > 0 } l ? l : null;
        var output = arm.OutputTokenDistribution is { Count: > 0 } o ? o : null;
        return new ArmEvidenceJson
        {
            Requests = arm.Requests,
            Errors = arm.Errors,
            RateLimited = arm.RateLimited,
            ClientCancels = arm.ClientCancels,
            Refusals = arm.Refusals,
            LatencyP50Us = latency is null ? null : new(latency.Quantile(0.5)),
            LatencyP95Us = latency is null ? null : new(latency.Quantile(0.95)),
            LatencyP99Us = latency is null ? null : new(latency.Quantile(0.99)),
            TtftP95Us = arm.TimeToFirstToken is { Count: > 0 } ttft ? new(ttft.Quantile(0.95)) : null,
            CostMeanMicroUsd = arm.Cost is { Count: > 0 } cost ? new(cost.Mean()) : null,
            RepricedCostMeanMicroUsd = arm.RepricedCost is { } repriced ? new(repriced.Mean) : null,
            CostPerSuccessMicroUsd = GuardEvaluator.CostEstimate(GuardMetric.CostPerSuccessfulRequest, arm) is { } perSuccess ? new(perSuccess.Estimate.Mean) : null,
            Successes = arm.Successes,
            InputTokens = arm.InputTokens,
            OutputTokens = arm.OutputTokens,
            OutputTokensP50 = output is null ? null : new(output.Quantile(0.5)),
            OutputTokensP95 = output is null ? null : new(output.Quantile(0.95)),
            FinishReasons = arm.FinishReasons.Total > 0 ? FinishReasons(arm.FinishReasons) : null,
            FeedbackPositive = arm.FeedbackPositive,
            FeedbackNegative = arm.FeedbackNegative,
            Quality = arm.Quality is { } quality ? Quality(quality) : null,
        };
    }

    private static ArmQualityJson Quality(ArmQuality quality) => new()
    {
        Judged = quality.Judged,
        ScoreMean = new(quality.ScoreMean),
        Scores = quality.ScoreCounts,
        Fails = quality.Fails,
        JudgeFailed = quality.JudgeFailed,
        JudgeUnparseable = quality.JudgeUnparseable,
        PairWins = quality.Wins,
        PairTies = quality.Ties,
        PairLosses = quality.Losses,
        PairsFailed = quality.PairsFailed,
        PairsUnparseable = quality.PairsUnparseable,
        PairsOtherFailed = quality.PairsOtherFailed,
    };

    private static Dictionary<string, long> FinishReasons(FinishReasonCounts finish)
    {
        Span<long> counts = stackalloc long[FinishReasonCounts.Names.Length];
        finish.CopyTo(counts);
        // Insertion order is the written order.
        var byName = new Dictionary<string, long>(counts.Length, StringComparer.Ordinal);
        for (var i = 0; i < counts.Length; i++)
        {
            byName[FinishReasonCounts.Names[i]] = counts[i];
        }

        return byName;
    }
}
