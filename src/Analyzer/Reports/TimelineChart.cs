using System.Globalization;
using System.Text;

namespace Canary.Analyzer.Reports;

/// <summary>Draws the stage timeline as a canary-weight step chart with one labelled band per stage.</summary>
internal static class TimelineChart
{
    public static void Write(StringBuilder svg, IReadOnlyList<StageSpan> stages, DateTimeOffset start, DateTimeOffset end)
    {
        var frame = new ChartFrame(0, (end - start).TotalSeconds, 100);
        frame.Open(svg, "stage timeline: canary weight over time");
        frame.YAxis(svg, 25, static v => v.ToString("0", CultureInfo.InvariantCulture) + "%");
        TimeAxis.Write(svg, frame, start, end);
        for (var i = 0; i < stages.Count; i++)
        {
            var stage = stages[i];
            var x1 = frame.X((stage.Start - start).TotalSeconds);
            var x2 = frame.X(((stage.End ?? end) - start).TotalSeconds);
            var y = frame.Y(stage.WeightPercent);
            var fill = i % 2 == 0 ? "#c7d2fe" : "#fed7aa";
            svg.Append(CultureInfo.InvariantCulture, $"<rect class=\"stage\" x=\"{ChartFrame.Number(x1)}\" y=\"{ChartFrame.Number(y)}\" width=\"{ChartFrame.Number(Math.Max(1, x2 - x1))}\" height=\"{ChartFrame.Number(frame.Y(0) - y)}\" fill=\"{fill}\" stroke=\"#6366f1\" stroke-width=\"0.5\"><title>{Html.Escape(stage.Stage)}: {ChartFrame.Number(stage.WeightPercent)}%</title></rect>");
            svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{ChartFrame.Number((x1 + x2) / 2)}\" y=\"{ChartFrame.Number(Math.Min(y, frame.Y(0) - 14) - 4)}\" text-anchor=\"middle\" class=\"tick\">{Html.Escape(stage.Stage)}</text>");
        }

        ChartFrame.Close(svg);
    }
}
