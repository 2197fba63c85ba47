using System.Globalization;
using System.Text;

namespace Canary.Analyzer.Reports;

/// <summary>Draws a latency distribution as two step CDFs, stable against canary, in inline SVG.</summary>
internal static class CdfChart
{
    public static void Write(StringBuilder svg, LatencyDistribution distribution)
    {
        var xMax = 0.0;
        foreach (var p in distribution.Stable)
        {
            xMax = Math.Max(xMax, p.Value);
        }

        foreach (var p in distribution.Canary)
        {
            xMax = Math.Max(xMax, p.Value);
        }

        var (niceMax, step) = AxisTicks.Nice(xMax);
        var frame = new ChartFrame(0, niceMax, 1);
        frame.Open(svg, $"{distribution.Metric} CDF, stable and canary");
        frame.YAxis(svg, 0.2, static v => v.ToString("0%", CultureInfo.InvariantCulture));
        for (var v = 0.0; v <= niceMax + (step / 2); v += step)
        {
            frame.XTick(svg, v, ChartFrame.Number(v));
        }

        ChartFrame.XLabel(svg, $"{distribution.Metric} ({distribution.Unit})");
        Steps(svg, frame, distribution.Stable, ReportColors.Stable, "stable");
        Steps(svg, frame, distribution.Canary, ReportColors.Canary, "canary");
        ChartFrame.Legend(svg);
        ChartFrame.Close(svg);
    }

    private static void Steps(StringBuilder svg, ChartFrame frame, IReadOnlyList<CdfPoint> points, string color, string arm)
    {
        if (points.Count == 0)
        {
            return;
        }

        svg.Append(CultureInfo.InvariantCulture, $"<polyline class=\"cdf {arm}\" fill=\"none\" stroke=\"{color}\" stroke-width=\"2\" points=\"");
        var previous = 0.0;
        foreach (var p in points)
        {
            // A CDF is a step function: hold the previous fraction up to the new value, then rise.
            svg.Append(CultureInfo.InvariantCulture, $"{ChartFrame.Number(frame.X(p.Value))},{ChartFrame.Number(frame.Y(previous))} ");
            svg.Append(CultureInfo.InvariantCulture, $"{ChartFrame.Number(frame.X(p.Value))},{ChartFrame.Number(frame.Y(p.CumulativeFraction))} ");
            previous = p.CumulativeFraction;
        }

        svg.Append("\"/>");
    }
}
