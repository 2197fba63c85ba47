using System.Globalization;
using Canary.Analyzer.Statistics;

namespace Canary.Analyzer.Decisions;

/// <summary>
/// Decides rollback, hold, promote, accelerate or complete for one rollout at one look, from both arms' evidence over the
/// same window, the rollout's options and the sequential state of the previous look. Pure apart from reading the clock.
/// </summary>
/// <remarks>
/// Order of the rules (first match wins): at 100 % → complete; in warm-up → hold; under the minimum samples → hold (never
/// fail); a guard significantly worse → rollback; split mismatch → hold; a guard not yet shown within its threshold →
/// hold (the quality judge unavailable for a quality guard first, then too few samples, too few users, not yet shown
/// within); a guard clearly better and all within → accelerate; stage time not served → hold; otherwise promote (complete
/// when the next stage is 100 %). Rollback is checked before the split because a canary that fails so hard that it
/// skews the split (retries, crashes) must still be rolled back; rolling back is the safe direction.
/// A guard is "worse" when it is significantly worse than its threshold, or significantly worse than stable while it has
/// not been shown within its threshold (in this stage or an earlier one). So under A/A the false-rollback probability is at most the rollback budget
/// (each "worse than stable" test runs at RollbackAlpha / (guards × stages), always valid over looks), while a canary at
/// or beyond its threshold cannot be shown within it and is rolled back as soon as it is shown worse than stable.
/// </remarks>
internal sealed class DecisionEngine(TimeProvider timeProvider)
{
    private readonly TimeProvider _timeProvider = timeProvider;

    // Options are immutable records; the last instance validated is remembered so a rollout looked at every few minutes
    // is not re-validated each time. A racing write only causes one extra validation.
    private DecisionOptions? _validated;

    /// <summary>Start of the analysis window: the stage start plus the warm-up. Both arms use the same window.</summary>
    public static DateTimeOffset WindowStart(DecisionOptions options, DateTimeOffset stageStartedAt) => stageStartedAt + options.WarmUp;

    public Decision Decide(DecisionOptions options, DecisionInput input)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(input);
        if (!ReferenceEquals(options, _validated))
        {
            DecisionOptionsValidator.ThrowIfInvalid(options);
            _validated = options;
        }

        var stages = options.StageWeightsBasisPoints;
        if (input.StageIndex < 0 || input.StageIndex >= stages.Count)
        {
            throw new ArgumentOutOfRangeException(nameof(input), input.StageIndex, "StageIndex is outside the stage schedule.");
        }

        var now = _timeProvider.GetUtcNow();
        var stageIndex = input.StageIndex;
        var weight = stages[stageIndex];
        var windowStart = WindowStart(options, input.StageStartedAt);
        var promotionLevel = -Math.Log(options.PromotionAlpha);
        var previous = input.Previous switch
        {
            { } p when p.StageIndex == stageIndex => p,
            { } p when p.StageIndex < stageIndex => p.NextStage(stageIndex, promotionLevel),
            _ => SequentialState.Start(stageIndex),
        };
        var context = new Context(options, input, now, weight, windowStart, previous);

        if (weight >= DecisionOptionsValidator.FullWeightBasisPoints)
        {
            var archiveAt = now + options.ArchiveAfter;
            return context.Build(Verdict.Complete, stageIndex, weight, [], null, previous, archiveAt,
                Text($"Complete: the canary serves 100 % of traffic and the stable version stays deployable until {archiveAt:yyyy-MM-dd}."));
        }

        if (now < windowStart)
        {
            return context.Build(Verdict.Hold, stageIndex, weight, [], null, previous, null,
                Text($"Holding: warming up after the weight change until {windowStart:yyyy-MM-dd HH:mm:ss} UTC; no requests are compared yet."));
        }

        var canaryRequests = input.Canary.Requests;
        var stableRequests = input.Stable.Requests;
        var min = options.MinimumSamplesPerArm;
        SampleRatioMismatchResult? split = canaryRequests + stableRequests > 0 && weight > 0
            ? SampleRatioMismatchTest.Evaluate(canaryRequests, stableRequests, weight / (double)DecisionOptionsValidator.FullWeightBasisPoints)
            : null;
        var (bucketSplit, misassigned) = SplitOfBuckets(input, weight);
        context = context with { BucketSplit = bucketSplit, MisassignedBuckets = misassigned };

        if (canaryRequests < min || stableRequests < min)
        {
            return context.Build(Verdict.Hold, stageIndex, weight, InsufficientGuards(options, input), split, previous, null,
                Text($"Holding: {canaryRequests} canary and {stableRequests} stable requests, under the minimum of {min} per arm."));
        }

        var rollbackLevel = -Math.Log(options.RollbackAlphaPerTest);
        var guards = new GuardEvidence[options.Guards.Count];
        var states = new Dictionary<string, GuardSequentialState>(StringComparer.Ordinal);
        for (var i = 0; i < guards.Length; i++)
        {
            var guard = options.Guards[i];
            var prior = previous.Guards.TryGetValue(guard.Key, out var s) ? s : GuardSequentialState.Empty;
            var withinEarlier = previous.WithinInEarlierStage.Contains(guard.Key);
            guards[i] = GuardEvaluator.Evaluate(guard, input.Canary, input.Stable, prior, withinEarlier, options, rollbackLevel, promotionLevel);
            states[guard.Key] = guards[i].State;
        }

        var updated = new SequentialState(stageIndex, states, previous.WithinInEarlierStage);

        var worse = Find(guards, GuardStatus.Worse);
        if (worse is not null)
        {
            var beyondThreshold = worse.State.MaxWorseThanMargin >= rollbackLevel;
            return context.Build(Verdict.Rollback, stageIndex, 0, guards, split, updated, null,
                "Rolling back: " + Describe(options, worse)
                + (beyondThreshold ? " is significantly worse than its " : " is significantly worse than stable and not shown to be within its ")
                + GuardOptions.ThresholdTextOf(worse.Metric, worse.Threshold) + " threshold.");
        }

        if (bucketSplit is { } units)
        {
            if (IsMismatch(options, units))
            {
                return context.SplitHold().Build(Verdict.Hold, stageIndex, weight, guards, split, updated, null,
                    Text($"Holding: split mismatch, the canary has {units.ObservedShare * 100:0.###} % of the user buckets that sent requests ({units.OccupiedCanary} of {units.OccupiedCanary + units.OccupiedStable}) against {units.ExpectedShare * 100:0.###} % configured (always-valid p = {units.PValue:0.###e+0})."));
            }

            if (IsMisassigned(units, misassigned))
            {
                return context.SplitHold().Build(Verdict.Hold, stageIndex, weight, guards, split, updated, null,
                    Text($"Holding: {misassigned} user buckets sent requests to the arm they do not belong to at {Percent(weight / 10000.0)}: sidecars routed with another weight inside the window."));
            }
        }
        else if (split is { } srm && IsMismatch(options, srm))
        {
            return context.SplitHold().Build(Verdict.Hold, stageIndex, weight, guards, split, updated, null,
                Text($"Holding: split mismatch, the canary has {srm.ObservedShare * 100:0.###} % of requests against {srm.ExpectedShare * 100:0.###} % configured (chi-square {srm.ChiSquare:0.##}, p = {srm.PValue:0.###e+0})."));
        }

        var judgeDown = Find(guards, GuardStatus.JudgeUnavailable);
        if (judgeDown is not null)
        {
            return context.Build(Verdict.Hold, stageIndex, weight, guards, split, updated, null,
                "Holding: the quality judge is unavailable for " + judgeDown.Key + ": " + JudgeUnavailableText(judgeDown)
                + "; the guard neither passes nor fails until the judge answers.");
        }

        var insufficient = Find(guards, GuardStatus.InsufficientSamples);
        if (insufficient is not null)
        {
            var guardMinimum = GuardMinimum(options, insufficient);
            return context.Build(Verdict.Hold, stageIndex, weight, guards, split, updated, null, insufficient.Metric == GuardMetric.PairedLossRate
                ? Text($"Holding: {insufficient.CanarySamples + insufficient.StableSamples} decided paired comparisons for {insufficient.Key}, under the minimum of {guardMinimum}.")
                : Text($"Holding: {insufficient.CanarySamples} canary and {insufficient.StableSamples} stable samples of {insufficient.Key}, under the minimum of {guardMinimum} per arm."));
        }

        var fewUsers = Find(guards, GuardStatus.InsufficientUsers);
        if (fewUsers is not null)
        {
            var groups = fewUsers.UserLevel is { } u ? Text($"{u.CanaryGroups} canary and {u.StableGroups} stable") : "too few";
            return context.Build(Verdict.Hold, stageIndex, weight, guards, split, updated, null,
                Text($"Holding: the samples of {fewUsers.Key} come from users in {groups} of {Canary.Contracts.Telemetry.UserGroups.Count} user groups, under the minimum of {options.MinimumGroupsPerArm} per arm: too few users to tell the version from its users."));
        }

        var inconclusive = Find(guards, GuardStatus.Inconclusive);
        if (inconclusive is not null)
        {
            return context.Build(Verdict.Hold, stageIndex, weight, guards, split, updated, null,
                "Holding: not yet enough evidence that " + Describe(options, inconclusive) + " is within its "
                + GuardOptions.ThresholdTextOf(inconclusive.Metric, inconclusive.Threshold) + " threshold.");
        }

        var nextIndex = stageIndex + 1;
        var nextWeight = stages[nextIndex];
        var nextState = updated.NextStage(nextIndex, promotionLevel);
        var better = options.AccelerationEnabled ? Find(guards, GuardStatus.ClearlyBetter) : null;
        if (better is not null)
        {
            var reason = Describe(options, better) + " is clearly better than stable and every guard is within its threshold";
            return nextWeight >= DecisionOptionsValidator.FullWeightBasisPoints
                ? context.Build(Verdict.Complete, nextIndex, nextWeight, guards, split, nextState, now + options.ArchiveAfter,
                    Text($"Completing at 100 % ahead of the stage time: {reason}; the stable version stays deployable until {now + options.ArchiveAfter:yyyy-MM-dd}."))
                : context.Build(Verdict.Accelerate, nextIndex, nextWeight, guards, split, nextState, null,
                    Text($"Accelerating from {Percent(weight / 10000.0)} to {Percent(nextWeight / 10000.0)}: {reason}."));
        }

        var inStage = now - input.StageStartedAt;
        var required = options.MinimumStageDurations[stageIndex];
        if (inStage < required)
        {
            return context.Build(Verdict.Hold, stageIndex, weight, guards, split, updated, null,
                Text($"Holding: all guards are within their thresholds but the stage time is not served ({Duration(inStage)} of {Duration(required)})."));
        }

        return nextWeight >= DecisionOptionsValidator.FullWeightBasisPoints
            ? context.Build(Verdict.Complete, nextIndex, nextWeight, guards, split, nextState, now + options.ArchiveAfter,
                Text($"Completing: all guards are within their thresholds after {Duration(inStage)} at {Percent(weight / 10000.0)}; the canary now serves 100 % and the stable version stays deployable until {now + options.ArchiveAfter:yyyy-MM-dd}."))
            : context.Build(Verdict.Promote, nextIndex, nextWeight, guards, split, nextState, null,
                Text($"Promoting from {Percent(weight / 10000.0)} to {Percent(nextWeight / 10000.0)}: all guards are within their thresholds after {Duration(inStage)} in the stage."));
    }

    internal static bool IsMismatch(DecisionOptions options, BucketSplitResult split) =>
        split.LogEvidence >= -Math.Log(options.SplitMismatchAlpha)
        && Math.Abs((split.ObservedShare / split.ExpectedShare) - 1) > options.SplitMismatchMinimumRelativeDeviation;

    /// <summary>More than 1 % of the occupied buckets on the wrong side of the weight: sidecars disagree on the table.</summary>
    internal static bool IsMisassigned(BucketSplitResult split, int misassigned) =>
        misassigned > 0.01 * Math.Max(1, split.OccupiedCanary + split.OccupiedStable);

    /// <summary>
    /// The bucket split of the window when both arms carry bucket sets: canary buckets lie below the weight, stable ones
    /// at or above it; buckets seen on the wrong side are counted apart.
    /// </summary>
    private static (BucketSplitResult? Split, int Misassigned) SplitOfBuckets(DecisionInput input, int weight)
    {
        if (input.Canary.Buckets is not { } canary || input.Stable.Buckets is not { } stable || weight <= 0
            || weight >= DecisionOptionsValidator.FullWeightBasisPoints || canary.BucketCount != stable.BucketCount)
        {
            return (null, 0);
        }

        var total = canary.BucketCount;
        var canaryIn = canary.CountInRange(0, weight);
        var stableIn = stable.CountInRange(weight, total);
        var misassigned = canary.CountInRange(weight, total) + stable.CountInRange(0, weight);
        return (BucketSplitTest.Evaluate(total, weight, canaryIn, stableIn), misassigned);
    }

    internal static bool IsMismatch(DecisionOptions options, SampleRatioMismatchResult split) =>
        split.PValue < options.SplitMismatchAlpha
        && Math.Abs((split.ObservedShare / split.ExpectedShare) - 1) > options.SplitMismatchMinimumRelativeDeviation;

    private static GuardEvidence[] InsufficientGuards(DecisionOptions options, DecisionInput input)
    {
        var guards = new GuardEvidence[options.Guards.Count];
        for (var i = 0; i < guards.Length; i++)
        {
            var guard = options.Guards[i];
            guards[i] = new GuardEvidence
            {
                Key = guard.Key,
                Metric = guard.Metric,
                Threshold = guard.Threshold,
                ClearlyBetterRatio = guard.ClearlyBetterRatio,
                Status = GuardStatus.InsufficientSamples,
                CanarySamples = input.Canary.Requests,
                StableSamples = input.Stable.Requests,
            };
        }

        return guards;
    }

    /// <summary>The first guard the judge is unavailable for, or null: what the judge-unavailable alert is about.</summary>
    internal static GuardEvidence? JudgeUnavailableGuard(IReadOnlyList<GuardEvidence> guards)
    {
        foreach (var guard in guards)
        {
            if (guard.Status == GuardStatus.JudgeUnavailable)
            {
                return guard;
            }
        }

        return null;
    }

    /// <summary>E.g. "30 of 40 judgements in the window failed (25) or were unparseable (5)".</summary>
    internal static string JudgeUnavailableText(GuardEvidence guard)
    {
        var q = guard.Quality ?? new QualityGuardCounts(0, 0, 0);
        var what = guard.Metric == GuardMetric.PairedLossRate ? "paired comparisons" : "judgements";
        return Text($"{q.Unusable} of {q.Attempted} {what} in the window failed ({q.Failed}) or were unparseable ({q.Unparseable})");
    }

    private static long GuardMinimum(DecisionOptions options, GuardEvidence evidence)
    {
        foreach (var g in options.Guards)
        {
            if (g.Key == evidence.Key)
            {
                return g.EffectiveMinimumSamples(options);
            }
        }

        return options.MinimumSamplesPerArm;
    }

    private static GuardEvidence? Find(GuardEvidence[] guards, GuardStatus status)
    {
        foreach (var guard in guards)
        {
            if (guard.Status == status)
            {
                return guard;
            }
        }

        return null;
    }

    private static string Describe(DecisionOptions options, GuardEvidence guard)
    {
        var name = guard.Key;
        foreach (var g in options.Guards)
        {
            if (g.Key == guard.Key)
            {
                name = g.DisplayName;
            }
        }

        if (guard.Comparison is not { } c)
        {
            return "the canary's " + name;
        }

        var canary = InUnits(guard.Metric, c.CanaryValue);
        var stable = InUnits(guard.Metric, c.StableValue);
        return guard.Metric switch
        {
            GuardMetric.PairedLossRate =>
                Text($"the canary's {name} {canary} of {guard.CanarySamples + guard.StableSamples} decided pairs (always-valid interval {InUnits(guard.Metric, c.LowerBound * c.StableValue)}–{InUnits(guard.Metric, c.UpperBound * c.StableValue)})"),
            GuardMetric.JudgeScoreMean =>
                Text($"the canary's {name} {canary} against stable {stable} (stable/canary {c.Ratio:0.###}, always-valid interval {c.LowerBound:0.###}–{c.UpperBound:0.###})"),
            _ => Text($"the canary's {name} {canary} against stable {stable} (ratio {c.Ratio:0.###}, always-valid interval {c.LowerBound:0.###}–{c.UpperBound:0.###})"),
        };
    }

    /// <summary>A metric's value in the unit an operator reads: rates in %, times in ms (stored in µs), cost in USD (stored in µUSD).</summary>
    private static string InUnits(GuardMetric metric, double value) => metric switch
    {
        GuardMetric.ErrorRate or GuardMetric.RefusalRate or GuardMetric.LengthFinishRate or GuardMetric.NegativeFeedbackRate
            or GuardMetric.JudgeFailRate or GuardMetric.PairedLossRate => Percent(value, "0.###"),
        GuardMetric.JudgeScoreMean => value.ToString("0.###", CultureInfo.InvariantCulture),
        GuardMetric.Latency or GuardMetric.TimeToFirstToken or GuardMetric.TimePerOutputToken =>
            (value / 1000).ToString(value >= 100_000 ? "0" : "0.##", CultureInfo.InvariantCulture) + " ms",
        GuardMetric.CostPerRequest or GuardMetric.CostPerSuccessfulRequest => "$" + (value / 1_000_000).ToString("0.######", CultureInfo.InvariantCulture),
        GuardMetric.OutputTokens => value.ToString("0.#", CultureInfo.InvariantCulture) + " tokens",
        _ => value.ToString("G4", CultureInfo.InvariantCulture),
    };

    private static string Percent(double fraction, string format = "0.##") =>
        (fraction * 100).ToString(format, CultureInfo.InvariantCulture) + " %";

    private static string Duration(TimeSpan span)
    {
        if (span.TotalDays >= 1)
        {
            return Text($"{(int)span.TotalDays}d {span.Hours}h");
        }

        if (span.TotalHours >= 1)
        {
            return Text($"{(int)span.TotalHours}h {span.Minutes}m");
        }

        return span.TotalMinutes >= 1 ? Text($"{(int)span.TotalMinutes}m {span.Seconds}s") : Text($"{span.TotalSeconds:0.#}s");
    }

    private static string Text(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

    private static GTestResult? FinishMix(FinishReasonCounts canary, FinishReasonCounts stable)
    {
        if (canary.Total == 0 || stable.Total == 0)
        {
            return null;
        }

        Span<long> c = stackalloc long[FinishReasonCounts.Names.Length];
        Span<long> s = stackalloc long[FinishReasonCounts.Names.Length];
        canary.CopyTo(c);
        stable.CopyTo(s);
        return HomogeneityGTest.Evaluate(c, s);
    }

    private readonly record struct Context(
        DecisionOptions Options,
        DecisionInput Input,
        DateTimeOffset Now,
        int Weight,
        DateTimeOffset WindowStart,
        SequentialState Previous,
        BucketSplitResult? BucketSplit = null,
        int MisassignedBuckets = 0,
        bool SplitMismatch = false)
    {
        public Context SplitHold() => this with { SplitMismatch = true };

        public Decision Build(
            Verdict verdict,
            int targetStage,
            int targetWeight,
            IReadOnlyList<GuardEvidence> guards,
            SampleRatioMismatchResult? split,
            SequentialState state,
            DateTimeOffset? archiveAt,
            string reason) => new()
            {
                Verdict = verdict,
                Reason = reason,
                DecidedAt = Now,
                StageIndex = Input.StageIndex,
                CurrentWeightBasisPoints = Weight,
                TargetWeightBasisPoints = targetWeight,
                TargetStageIndex = targetStage,
                WindowStart = WindowStart,
                WindowEnd = Now,
                CanaryRequests = Input.Canary.Requests,
                StableRequests = Input.Stable.Requests,
                CanaryEvidence = Input.Canary,
                StableEvidence = Input.Stable,
                Split = split,
                BucketSplit = BucketSplit,
                MisassignedBuckets = MisassignedBuckets,
                SplitMismatch = SplitMismatch,
                FinishReasonMix = FinishMix(Input.Canary.FinishReasons, Input.Stable.FinishReasons),
                Guards = guards,
                RollbackAlphaPerTest = Options.RollbackAlphaPerTest,
                PromotionAlpha = Options.PromotionAlpha,
                ArchiveAt = archiveAt,
                State = state,
            };
    }
}
