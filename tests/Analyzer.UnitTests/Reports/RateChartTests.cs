using System.Text;
using System.Text.RegularExpressions;
using Canary.Analyzer.Reports;

namespace Canary.Analyzer.UnitTests.Reports;

public sealed class RateChartTests
{
    private static readonly DateTimeOffset Start = new(2026, 12, 6, 1, 0, 0, TimeSpan.Zero);

    private static RatePoint Point(int seconds, double rate) => new(Start.AddSeconds(seconds), rate, rate / 2, rate * 1.5);

    private static int Count(string svg, string pattern) => Regex.Matches(svg, pattern).Count;

    [Fact]
    public void Write_CanaryWithOneBucket_DrawnAsAPointWithItsInterval()
    {
        // A stage shorter than a bucket: the canary has one point, stable many.
        var series = new RateSeries("error rate (5xx)", [Point(5, 0.01), Point(15, 0.012), Point(25, 0.011)], [Point(5, 0.15)]);
        var svg = new StringBuilder();

        RateChart.Write(svg, series, Start, Start.AddSeconds(30));

        var text = svg.ToString();
        Assert.Equal(1, Count(text, "<circle class=\"point canary\""));
        Assert.Equal(1, Count(text, "<line class=\"whisker canary\""));
        Assert.Equal(3, Count(text, "<circle class=\"point stable\""));
        Assert.Equal(1, Count(text, "<polyline class=\"rate stable\""));
        // No degenerate line for a single point.
        Assert.Equal(0, Count(text, "class=\"rate canary\""));
    }

    [Fact]
    public void Render_EverySeriesWithData_HasAMarkForEachOfItsPoints()
    {
        var sample = SampleReport.Create();

        var html = ReportRenderer.Render(sample);

        foreach (var series in sample.Rates)
        {
            var figure = html[html.IndexOf($"<figcaption>{series.Metric}</figcaption>", StringComparison.Ordinal)..];
            figure = figure[..(figure.IndexOf("</figure>", StringComparison.Ordinal))];
            Assert.Equal(series.Stable.Count, Count(figure, "<circle class=\"point stable\""));
            Assert.Equal(series.Canary.Count, Count(figure, "<circle class=\"point canary\""));
        }

        Assert.All(sample.Rates, s => Assert.NotEmpty(s.Canary));
    }
}
