namespace Canary.Analyzer.Decisions;

/// <summary>
/// Per-rollout configuration of the decision engine: stage schedule, minimum stage durations, guards and error budgets.
/// Defaults follow the product design (5/10/25/50/75/100 %, the 0/2/4/7/10/14-day timeline, never under 24 hours).
/// </summary>
internal sealed record DecisionOptions
{
    /// <summary>Canary weights in basis points, strictly ascending, ending at 10 000 (100 %).</summary>
    public IReadOnlyList<int> StageWeightsBasisPoints { get; init; } = [500, 1000, 2500, 5000, 7500, 10000];

    /// <summary>
    /// Minimum time in each stage below 100 % (one per stage except the last), from the 0/2/4/7/10/14-day timeline.
    /// </summary>
    public IReadOnlyList<TimeSpan> MinimumStageDurations { get; init; } =
    [
        TimeSpan.FromDays(2), TimeSpan.FromDays(2), TimeSpan.FromDays(3), TimeSpan.FromDays(3), TimeSpan.FromDays(4),
    ];

    /// <summary>No stage may be configured shorter than this: 24 h covers a daily cycle. Set to zero for demos and tests.</summary>
    public TimeSpan MinimumStageDurationFloor { get; init; } = TimeSpan.FromHours(24);

    /// <summary>Below this many requests (or values, for distribution guards) in either arm the verdict is hold.</summary>
    public long MinimumSamplesPerArm { get; init; } = 1000;

    /// <summary>
    /// User groups (of 32) that must have contributed samples in each arm before a guard is judged with user-level
    /// variances: fewer means too few users to tell a version from the users who happen to be on it.
    /// </summary>
    public int MinimumGroupsPerArm { get; init; } = 8;

    /// <summary>Requests in this period after each weight change are left out of the comparison.</summary>
    public TimeSpan WarmUp { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>
    /// Probability of rolling back a canary that is no worse than stable, over the whole rollout, all looks, stages and
    /// guards (split evenly: per test α = RollbackAlpha / (guards × comparison stages)).
    /// </summary>
    public double RollbackAlpha { get; init; } = 0.01;

    /// <summary>Per-stage probability of promoting or accelerating a canary that is at or beyond a guard's threshold.</summary>
    public double PromotionAlpha { get; init; } = 0.05;

    /// <summary>Level of the sample-ratio chi-square test.</summary>
    public double SplitMismatchAlpha { get; init; } = 0.001;

    /// <summary>A split mismatch also needs |observed/expected − 1| above this (heavy users add variance the test ignores).</summary>
    public double SplitMismatchMinimumRelativeDeviation { get; init; } = 0.05;

    public bool AccelerationEnabled { get; init; } = true;

    /// <summary>After completion the stable version stays deployable this long before it is archived.</summary>
    public TimeSpan ArchiveAfter { get; init; } = TimeSpan.FromDays(30);

    public IReadOnlyList<GuardOptions> Guards { get; init; } =
    [
        new GuardOptions { Metric = GuardMetric.ErrorRate, Threshold = 0.5, ClearlyBetterRatio = 0.5, AbsoluteRateFloor = 0.001 },
        new GuardOptions { Metric = GuardMetric.Latency, Threshold = 0.3, Quantile = 0.95, ClearlyBetterRatio = 0.8 },
        new GuardOptions { Metric = GuardMetric.CostPerRequest, Threshold = 0.5, ClearlyBetterRatio = 0.8 },
        new GuardOptions { Metric = GuardMetric.RefusalRate, Threshold = 1.0, AbsoluteRateFloor = 0.001 },
    ];

    /// <summary>Number of stages where canary and stable are both served (all but the final 100 % stage).</summary>
    public int ComparisonStageCount
    {
        get
        {
            var count = 0;
            foreach (var weight in StageWeightsBasisPoints)
            {
                if (weight < DecisionOptionsValidator.FullWeightBasisPoints)
                {
                    count++;
                }
            }

            return count;
        }
    }

    /// <summary>Per-test level of each rollback test (Bonferroni over guards and stages of the rollout budget).</summary>
    public double RollbackAlphaPerTest => RollbackAlpha / Math.Max(1, Guards.Count * ComparisonStageCount);
}
