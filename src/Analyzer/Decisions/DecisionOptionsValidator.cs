using System.Globalization;

namespace Canary.Analyzer.Decisions;

/// <summary>Validates <see cref="DecisionOptions"/> and reports every problem at once, without short-circuiting.</summary>
internal static class DecisionOptionsValidator
{
    public const int FullWeightBasisPoints = 10000;

    public static IReadOnlyList<string> Validate(DecisionOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = new List<string>();
        var stages = options.StageWeightsBasisPoints;
        if (stages is null || stages.Count == 0)
        {
            errors.Add("StageWeightsBasisPoints must list at least one stage.");
        }
        else
        {
            for (var i = 0; i < stages.Count; i++)
            {
                if (stages[i] <= 0 || stages[i] > FullWeightBasisPoints)
                {
                    errors.Add(Format($"StageWeightsBasisPoints[{i}] = {stages[i]} must be in 1..10000."));
                }

                if (i > 0 && stages[i] <= stages[i - 1])
                {
                    errors.Add(Format($"StageWeightsBasisPoints must be strictly ascending (index {i})."));
                }
            }

            if (stages[^1] != FullWeightBasisPoints)
            {
                errors.Add("The last stage must be 10000 basis points (100 %).");
            }

            var durations = options.MinimumStageDurations;
            if (durations is null || durations.Count != stages.Count - 1)
            {
                errors.Add(Format($"MinimumStageDurations must have one entry per stage below 100 % ({stages.Count - 1})."));
            }
        }

        if (options.MinimumStageDurationFloor < TimeSpan.Zero)
        {
            errors.Add("MinimumStageDurationFloor must not be negative.");
        }

        if (options.MinimumStageDurations is { } minimums)
        {
            for (var i = 0; i < minimums.Count; i++)
            {
                if (minimums[i] < options.MinimumStageDurationFloor)
                {
                    errors.Add(Format($"MinimumStageDurations[{i}] = {minimums[i]} is under the floor {options.MinimumStageDurationFloor}."));
                }
            }
        }

        if (options.MinimumGroupsPerArm < 2 || options.MinimumGroupsPerArm > Canary.Contracts.Telemetry.UserGroups.Count)
        {
            errors.Add($"MinimumGroupsPerArm must be between 2 and {Canary.Contracts.Telemetry.UserGroups.Count}.");
        }

        if (options.MinimumSamplesPerArm < 2)
        {
            errors.Add("MinimumSamplesPerArm must be at least 2.");
        }

        if (options.WarmUp < TimeSpan.Zero)
        {
            errors.Add("WarmUp must not be negative.");
        }

        CheckProbability(errors, nameof(options.RollbackAlpha), options.RollbackAlpha);
        CheckProbability(errors, nameof(options.PromotionAlpha), options.PromotionAlpha);
        CheckProbability(errors, nameof(options.SplitMismatchAlpha), options.SplitMismatchAlpha);
        if (!(options.SplitMismatchMinimumRelativeDeviation >= 0))
        {
            errors.Add("SplitMismatchMinimumRelativeDeviation must not be negative.");
        }

        if (options.ArchiveAfter < TimeSpan.Zero)
        {
            errors.Add("ArchiveAfter must not be negative.");
        }

        if (options.Guards is null || options.Guards.Count == 0)
        {
            errors.Add("Guards must list at least one guard.");
        }
        else
        {
            var keys = new HashSet<string>(StringComparer.Ordinal);
            for (var i = 0; i < options.Guards.Count; i++)
            {
                ValidateGuard(errors, i, options.Guards[i], keys);
            }
        }

        return errors;
    }

    /// <summary>Throws one exception that lists every problem.</summary>
    public static void ThrowIfInvalid(DecisionOptions options)
    {
        var errors = Validate(options);
        if (errors.Count > 0)
        {
            throw new ArgumentException("Invalid decision options: " + string.Join(" ", errors), nameof(options));
        }
    }

    private static void ValidateGuard(List<string> errors, int index, GuardOptions guard, HashSet<string> keys)
    {
        if (guard is null)
        {
            errors.Add(Format($"Guards[{index}] is null."));
            return;
        }

        if (!Enum.IsDefined(guard.Metric))
        {
            errors.Add(Format($"Guards[{index}].Metric is not a known metric."));
            return;
        }

        if (!(guard.Threshold > 0) || double.IsInfinity(guard.Threshold))
        {
            errors.Add(Format($"Guards[{index}] ({guard.Key}): Threshold must be a finite number > 0."));
        }

        if (guard.IsQuantile && !(guard.Quantile > 0 && guard.Quantile < 1))
        {
            errors.Add(Format($"Guards[{index}] ({guard.Key}): Quantile must be in (0, 1)."));
        }

        if (guard.ClearlyBetterRatio is { } better && !(better > 0 && better < 1))
        {
            errors.Add(Format($"Guards[{index}] ({guard.Key}): ClearlyBetterRatio must be in (0, 1)."));
        }

        if (!(guard.AbsoluteRateFloor >= 0 && guard.AbsoluteRateFloor < 1))
        {
            errors.Add(Format($"Guards[{index}] ({guard.Key}): AbsoluteRateFloor must be in [0, 1)."));
        }
        else if (guard.AbsoluteRateFloor > 0 && !guard.IsRate)
        {
            errors.Add(Format($"Guards[{index}] ({guard.Key}): AbsoluteRateFloor applies to rate guards only."));
        }

        if (guard.Metric is GuardMetric.JudgeScoreMean or GuardMetric.PairedLossRate && !(guard.Threshold < 1))
        {
            errors.Add(Format($"Guards[{index}] ({guard.Key}): Threshold must be below 1 (100 %): it is a share, not a ratio."));
        }

        if (guard.Metric == GuardMetric.PairedLossRate && guard.ClearlyBetterRatio is not null)
        {
            errors.Add(Format($"Guards[{index}] ({guard.Key}): ClearlyBetterRatio does not apply: the paired loss rate is tested against an absolute share."));
        }

        if (guard.MinimumSamples is { } minimum && minimum < 2)
        {
            errors.Add(Format($"Guards[{index}] ({guard.Key}): MinimumSamples must be at least 2."));
        }

        if (!keys.Add(guard.Key))
        {
            errors.Add(Format($"Guards[{index}] ({guard.Key}) is a duplicate."));
        }
    }

    private static void CheckProbability(List<string> errors, string name, double value)
    {
        if (!(value > 0 && value < 1))
        {
            errors.Add(Format($"{name} must be in (0, 1)."));
        }
    }

    private static string Format(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
