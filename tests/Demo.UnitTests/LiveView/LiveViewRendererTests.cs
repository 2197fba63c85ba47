using Canary.Demo.Analysis;
using Canary.Demo.LiveView;
using Microsoft.Extensions.Time.Testing;

namespace Canary.Demo.UnitTests.LiveView;

public sealed class LiveViewRendererTests
{
    private static readonly DateTimeOffset At = new(2026, 11, 26, 12, 0, 5, TimeSpan.Zero);

    private static ViewState State(int decisions = 1) => new()
    {
        Title = "Canary demo: bad canary",
        Rollout = "chat.demo.internal",
        StagePercents = [5, 10, 25, 50, 75, 100],
        StageIndex = 1,
        WeightPercent = 10,
        Status = "running",
        Elapsed = TimeSpan.FromSeconds(42),
        TimeLimit = TimeSpan.FromSeconds(170),
        InStage = TimeSpan.FromSeconds(7),
        OfferedPerSecond = 150,
        CompletedPerSecond = 148,
        RoutedCanaryShare = 0.098,
        Stable = new ArmStats(1234, 25, 24, 312.4, 135, 79.14, 951),
        Canary = new ArmStats(131, 11, 3, 480, 201, 80.2, 1203),
        Decisions = [.. Enumerable.Range(0, decisions).Select(i => new DecisionLine(At, "promote", 5, 10, "Promoting " + i))],
        Holding = "hold: Holding: 40 canary and 700 stable requests, under the minimum of 200 per arm.",
        AnalyzeEvery = TimeSpan.FromSeconds(2),
    };

    [Fact]
    public void Render_RunningStage_ShowsStageWeightArmsAndDecisions()
    {
        var lines = LiveViewRenderer.Render(State());

        Assert.Contains(lines, l => l.Contains("stage 2/6", StringComparison.Ordinal) && l.Contains("canary weight 10 %", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains("sidecar routed 9.8 % to canary", StringComparison.Ordinal));
        Assert.Contains("stable        1234    2.0 %     1.9 %       312 ms    135 ms        79.1       $0.951", lines);
        Assert.Contains("canary         131    8.4 %     2.3 %       480 ms    201 ms        80.2       $1.203", lines);
        Assert.Contains(lines, l => l.StartsWith("  12:00:05  promote      5% -> 10%  Promoting 0", StringComparison.Ordinal));
        Assert.Equal("  now: hold: Holding: 40 canary and 700 stable requests, under the minimum of 200 per arm.", lines[^1]);
    }

    [Fact]
    public void Render_NoEscapeCodes_AndEveryLineFitsTheWidth()
    {
        var lines = LiveViewRenderer.Render(State(), width: 60);

        Assert.All(lines, l =>
        {
            Assert.DoesNotContain('\e', l);
            Assert.True(l.Length <= 60, l);
        });
    }

    [Fact]
    public void Render_LongReason_WrapsWithoutLosingWords()
    {
        var reason = string.Join(' ', Enumerable.Range(0, 40).Select(i => "word" + i));
        var state = State() with { Decisions = [new DecisionLine(At, "rollback", 25, 0, reason)], Holding = null };

        var lines = LiveViewRenderer.Render(state, width: 50);

        var from = lines.ToList().FindIndex(l => l.Contains("rollback", StringComparison.Ordinal));
        var wrapped = lines.Skip(from).ToList();
        Assert.True(wrapped.Count > 3);
        Assert.All(wrapped, l => Assert.True(l.Length <= 50, l));
        Assert.All(wrapped.Skip(1), l => Assert.StartsWith("        word", l, StringComparison.Ordinal));
        Assert.EndsWith(reason, string.Join(' ', wrapped.Select(l => l.Trim())), StringComparison.Ordinal);
    }

    [Fact]
    public void Render_ManyDecisions_ShowsOnlyTheLatest()
    {
        var lines = LiveViewRenderer.Render(State(decisions: 20));

        Assert.Equal(LiveViewRenderer.MaxDecisionLines, lines.Count(l => l.Contains("promote", StringComparison.Ordinal)));
        Assert.Contains(lines, l => l.EndsWith("Promoting 19", StringComparison.Ordinal));
        Assert.DoesNotContain(lines, l => l.EndsWith("Promoting 11", StringComparison.Ordinal));
    }

    [Fact]
    public void Summary_OneLineWithBothArms()
    {
        var line = LiveViewRenderer.Summary(State());

        Assert.Equal("[  42s] stage 2/6 weight 10 % | routed to canary 9.8 % | stable 1234 req, 2.0 % err, p95 312 ms | canary 131 req, 8.4 % err, p95 480 ms", line);
    }

    [Fact]
    public void Show_AppendMode_PrintsEachDecisionOnceAndSummariesEveryFiveSeconds()
    {
        var time = new FakeTimeProvider(At);
        var output = new StringWriter();
        var terminal = new Terminal(output, redraw: false, time);

        terminal.Show(State());
        time.Advance(TimeSpan.FromSeconds(1));
        terminal.Show(State(decisions: 2));
        time.Advance(TimeSpan.FromSeconds(5));
        terminal.Show(State(decisions: 2));

        var lines = output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2, lines.Count(l => l.StartsWith("12:00:05  promote", StringComparison.Ordinal)));
        Assert.Equal(2, lines.Count(l => l.StartsWith("[  42s]", StringComparison.Ordinal)));
        Assert.DoesNotContain('\e', output.ToString());
    }

    [Fact]
    public void Show_RedrawMode_StartsEachFrameWithCursorHomeAndClear()
    {
        var output = new StringWriter();
        var terminal = new Terminal(output, redraw: true, new FakeTimeProvider(At));

        terminal.Show(State());

        Assert.StartsWith("\e[H\e[J" + "Canary demo: bad canary", output.ToString(), StringComparison.Ordinal);
    }
}
