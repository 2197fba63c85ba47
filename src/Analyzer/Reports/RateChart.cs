using System.Globalization;
using System.Text;

namespace Canary.Analyzer.Reports;

/// <summary>
/// Draws a rate over time for both arms in inline SVG: each bucket as a point with its confidence interval as a whisker,
/// joined by a line and a band where an arm has more than one. A stage shorter than a bucket leaves one point, which a
/// line alone would not show.
/// </summary>
internal static class RateChart
{
    public static void Write(StringBuilder svg, RateSeries series, DateTimeOffset start, DateTimeOffset end)
    {
        var yMax = 0.0;
        foreach (var p in series.Stable)
        {
            yMax = Math.Max(yMax, p.High);
        }

        foreach (var p in series.Canary)
        {
            yMax = Math.Max(yMax, p.High);
        }

        var (niceMax, step) = AxisTicks.Nice(yMax);
        var frame = new ChartFrame(0, (end - start).TotalSeconds, niceMax);
        frame.Open(svg, $"{series.Metric} over time with confidence intervals");
        frame.YAxis(svg, step, static v => v.ToString("0.##%", CultureInfo.InvariantCulture));
        TimeAxis.Write(svg, frame, start, end);
        Band(svg, frame, series.Stable, start, ReportColors.Stable, "stable");
        Band(svg, frame, series.Canary, start, ReportColors.Canary, "canary");
        ChartFrame.Legend(svg);
        ChartFrame.Close(svg);
    }

    private static void Band(StringBuilder svg, ChartFrame frame, IReadOnlyList<RatePoint> points, DateTimeOffset start, string color, string arm)
    {
        if (points.Count > 1)
        {
            Lines(svg, frame, points, start, color, arm);
        }

        foreach (var p in points)
        {
            var x = ChartFrame.Number(frame.X((p.Time - start).TotalSeconds));
            svg.Append(CultureInfo.InvariantCulture, $"<line class=\"whisker {arm}\" x1=\"{x}\" x2=\"{x}\" y1=\"{ChartFrame.Number(frame.Y(p.Low))}\" y2=\"{ChartFrame.Number(frame.Y(p.High))}\" stroke=\"{color}\" stroke-opacity=\"0.6\" stroke-width=\"1.5\"/>");
            svg.Append(CultureInfo.InvariantCulture, $"<circle class=\"point {arm}\" cx=\"{x}\" cy=\"{ChartFrame.Number(frame.Y(p.Rate))}\" r=\"3\" fill=\"{color}\"/>");
        }
    }

    private static void Lines(StringBuilder svg, ChartFrame frame, IReadOnlyList<RatePoint> points, DateTimeOffset start, string color, string arm)
    {
        svg.Append(CultureInfo.InvariantCulture, $"<polygon class=\"ci {arm}\" fill=\"{color}\" fill-opacity=\"0.18\" stroke=\"none\" points=\"");
        for (var i = 0; i < points.Count; i++)
        {
            Point(svg, frame, start, points[i].Time, points[i].High);
        }

        for (var i = points.Count - 1; i >= 0; i--)
        {
            Point(svg, frame, start, points[i].Time, points[i].Low);
        }

        svg.Append("\"/>");
        svg.Append(CultureInfo.InvariantCulture, $"<polyline class=\"rate {arm}\" fill=\"none\" stroke=\"{color}\" stroke-width=\"2\" points=\"");
        foreach (var p in points)
        {
            Point(svg, frame, start, p.Time, p.Rate);
        }

        svg.Append("\"/>");
    }

    private static void Point(StringBuilder svg, ChartFrame frame, DateTimeOffset start, DateTimeOffset time, double value) =>
        svg.Append(CultureInfo.InvariantCulture, $"{ChartFrame.Number(frame.X((time - start).TotalSeconds))},{ChartFrame.Number(frame.Y(value))} ");
}
