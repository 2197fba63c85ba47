using System.Globalization;
using System.Text;

namespace Canary.Analyzer.Reports;

/// <summary>
/// Draws both arms' rubric score distributions in inline SVG: per score 1 to 5, a stable and a canary bar with the
/// share of that arm's judged samples, so arms of very different sizes compare at a glance.
/// </summary>
internal static class ScoreChart
{
    public static void Write(StringBuilder svg, QualityArmScores stable, QualityArmScores canary)
    {
        var yMax = 0.0;
        for (var i = 0; i < 5; i++)
        {
            yMax = Math.Max(yMax, Math.Max(Share(stable, i), Share(canary, i)));
        }

        var (niceMax, step) = AxisTicks.Nice(yMax);
        var frame = new ChartFrame(0.5, 5.5, niceMax);
        frame.Open(svg, "judge score distribution per arm");
        frame.YAxis(svg, step, static v => v.ToString("0.##%", CultureInfo.InvariantCulture));
        for (var score = 1; score <= 5; score++)
        {
            frame.XTick(svg, score, score.ToString(CultureInfo.InvariantCulture));
            Bar(svg, frame, score - 0.36, Share(stable, score - 1), ReportColors.Stable, "stable");
            Bar(svg, frame, score + 0.02, Share(canary, score - 1), ReportColors.Canary, "canary");
        }

        ChartFrame.XLabel(svg, "judge score");
        ChartFrame.Legend(svg);
        ChartFrame.Close(svg);
    }

    private static double Share(QualityArmScores arm, int index) => arm.Judged > 0 ? arm.ScoreCounts[index] / (double)arm.Judged : 0;

    private static void Bar(StringBuilder svg, ChartFrame frame, double left, double share, string color, string arm)
    {
        var x = frame.X(left);
        var width = frame.X(left + 0.34) - x;
        var top = frame.Y(share);
        var height = frame.Y(0) - top;
        svg.Append(CultureInfo.InvariantCulture, $"<rect class=\"score {arm}\" x=\"{ChartFrame.Number(x)}\" y=\"{ChartFrame.Number(top)}\" width=\"{ChartFrame.Number(width)}\" height=\"{ChartFrame.Number(height)}\" fill=\"{color}\"/>");
    }
}
