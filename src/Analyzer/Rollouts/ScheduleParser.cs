using System.Globalization;
using Canary.Analyzer.Decisions;

namespace Canary.Analyzer.Rollouts;

/// <summary>
/// Parses a stage schedule such as <c>5/2d,10/2d,25/3d,50/3d,75/4d,100</c>: weight in percent, then the stage's minimum
/// duration (<c>s</c>, <c>m</c>, <c>h</c>, <c>d</c>). An explicit schedule is taken as given, so seconds-long stages
/// work for demos and tests; production schedules should stay at or above a day per stage.
/// </summary>
internal static class ScheduleParser
{
    public static DecisionOptions Parse(string schedule, DecisionOptions defaults, List<string> errors)
    {
        var weights = new List<int>();
        var durations = new List<TimeSpan>();
        var parts = schedule.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        for (var i = 0; i < parts.Length; i++)
        {
            var pieces = parts[i].Split('/', 2);
            if (!decimal.TryParse(pieces[0], NumberStyles.Number, CultureInfo.InvariantCulture, out var percent) || percent <= 0 || percent > 100)
            {
                errors.Add($"schedule stage {i + 1} (\"{parts[i]}\"): weight must be a percentage in (0, 100]");
                continue;
            }

            weights.Add((int)Math.Round(percent * 100));
            var last = i == parts.Length - 1;
            if (pieces.Length == 2)
            {
                if (!TryParseDuration(pieces[1], out var duration))
                {
                    errors.Add($"schedule stage {i + 1} (\"{parts[i]}\"): duration must look like 30s, 10m, 2h or 3d");
                }
                else if (!last)
                {
                    durations.Add(duration);
                }
            }
            else if (!last)
            {
                errors.Add($"schedule stage {i + 1} (\"{parts[i]}\"): every stage but the last needs a minimum duration");
            }
        }

        if (weights.Count == 0 || weights[^1] != 10_000)
        {
            errors.Add("schedule: the last stage must be 100");
        }

        return defaults with
        {
            StageWeightsBasisPoints = weights,
            MinimumStageDurations = durations,
            MinimumStageDurationFloor = TimeSpan.Zero,
        };
    }

    public static bool TryParseDuration(string text, out TimeSpan duration)
    {
        duration = default;
        if (text.Length < 2 || !double.TryParse(text.AsSpan(0, text.Length - 1), NumberStyles.Float, CultureInfo.InvariantCulture, out var value) || value < 0)
        {
            return false;
        }

        switch (text[^1])
        {
            case 's':
                duration = TimeSpan.FromSeconds(value);
                return true;
            case 'm':
                duration = TimeSpan.FromMinutes(value);
                return true;
            case 'h':
                duration = TimeSpan.FromHours(value);
                return true;
            case 'd':
                duration = TimeSpan.FromDays(value);
                return true;
            default:
                return false;
        }
    }
}
