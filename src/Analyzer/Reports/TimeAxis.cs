using System.Globalization;
using System.Text;

namespace Canary.Analyzer.Reports;

/// <summary>Time ticks (UTC, HH:mm) for a chart whose x axis is seconds since the rollout started.</summary>
internal static class TimeAxis
{
    private static readonly int[] StepMinutes = [1, 2, 5, 10, 15, 30, 60, 120, 180, 360, 720, 1440];

    public static void Write(StringBuilder svg, ChartFrame frame, DateTimeOffset start, DateTimeOffset end)
    {
        var minutes = Math.Max(1, (end - start).TotalMinutes);
        var step = StepMinutes[^1];
        foreach (var candidate in StepMinutes)
        {
            if (minutes / candidate <= 8)
            {
                step = candidate;
                break;
            }
        }

        var utcStart = start.ToUniversalTime();
        var first = new DateTimeOffset(utcStart.Year, utcStart.Month, utcStart.Day, 0, 0, 0, TimeSpan.Zero);
        var offsetMinutes = Math.Ceiling((utcStart - first).TotalMinutes / step) * step;
        for (var tick = first.AddMinutes(offsetMinutes); tick <= end; tick = tick.AddMinutes(step))
        {
            frame.XTick(svg, (tick - start).TotalSeconds, tick.ToString("HH:mm", CultureInfo.InvariantCulture));
        }

        ChartFrame.XLabel(svg, "time (UTC)");
    }
}
