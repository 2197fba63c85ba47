using Canary.Analyzer.Reports;
using Canary.Analyzer.Rollouts;
using Canary.Contracts.Telemetry;

namespace Canary.Analyzer.UnitTests.Reports;

public sealed class ReportLoaderTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 26, 9, 0, 0, TimeSpan.Zero);

    private static DecisionRecord Record(int minute, string action, int from, int to, bool dryRun = false) =>
        new("chat", T0.AddMinutes(minute), action, action, "r", 0, from, to, null, T0, T0, 0, 0, "{}", dryRun);

    [Fact]
    public void Stages_StartHoldsPromoteRollback_OneSpanPerWeightEndingAtTheNext()
    {
        var stages = ReportLoader.Stages(
        [
            Record(0, "start", 0, 500), Record(10, "hold", 500, 500), Record(20, "promote", 500, 1000),
            Record(25, "rollback", 1000, 0, dryRun: true), Record(30, "rollback", 1000, 0),
        ]);

        Assert.Equal(
        [
            new StageSpan("5 %", 5, T0, T0.AddMinutes(20)),
            new StageSpan("10 %", 10, T0.AddMinutes(20), T0.AddMinutes(30)),
            new StageSpan("rolled back", 0, T0.AddMinutes(30), null),
        ],
        stages);
    }

    [Fact]
    public void Cdf_MergedHistogram_MonotoneEndsAtOneInMilliseconds()
    {
        var recorded = new MergedHistogram(TelemetryLayouts.For(TelemetryMetric.DurationUs));
        for (var i = 1; i <= 5000; i++)
        {
            recorded.Record(i * 100);
        }

        var merged = new MergedHistogram(recorded.Layout);
        merged.Add(recorded.Encode());

        var points = ReportLoader.Cdf(merged);

        Assert.InRange(points.Count, 100, 400);
        Assert.Equal(1.0, points[^1].CumulativeFraction);
        Assert.InRange(points[^1].Value, 499, 502);
        for (var i = 1; i < points.Count; i++)
        {
            Assert.True(points[i].Value > points[i - 1].Value && points[i].CumulativeFraction > points[i - 1].CumulativeFraction);
        }

        Assert.Empty(ReportLoader.Cdf(null));
    }

    [Theory]
    [InlineData(0, 100, 0, 0.037)]
    [InlineData(10, 100, 0.055, 0.174)]
    [InlineData(100, 100, 0.963, 1)]
    public void Wilson_KnownProportions_MatchesTables(long events, long trials, double low, double high)
    {
        var (l, h) = ReportLoader.Wilson(events, trials);

        Assert.Equal(low, l, 3);
        Assert.Equal(high, h, 3);
    }
}
