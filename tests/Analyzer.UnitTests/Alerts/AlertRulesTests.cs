using Canary.Analyzer.Alerts;
using Canary.Analyzer.Rollouts;

namespace Canary.Analyzer.UnitTests.Alerts;

public sealed class AlertRulesTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 26, 12, 0, 0, TimeSpan.Zero);
    private static readonly AlertSettings Settings = new() { LongHoldFactor = 2 };

    private static DecisionRecord Record(string action, int from, int to, bool dryRun = false, string rollout = "chat") => new(
        rollout, Now, action == "hold" ? "hold" : action, action, "because", 1, from, to, null, Now.AddHours(-1), Now, 1200, 24000, "{}", dryRun);

    private static RolloutLook Look(string action, TimeSpan inStage, TimeSpan? minimum, string? split = null, string? judge = null) =>
        new("chat", action, 1, Now - inStage, minimum, split, judge);

    [Theory]
    [InlineData("rollback", "rollback")]
    [InlineData("promote", "promotion")]
    [InlineData("accelerate", "promotion")]
    [InlineData("complete", "completion")]
    public void Plan_WeightChangingAction_OneAlertOfItsKind(string action, string kind)
    {
        var alerts = AlertRules.Plan(new RunOutcome([Record(action, 1000, 2500)], 4, null), Settings, Now);

        var alert = Assert.Single(alerts);
        Assert.Equal(kind, AlertKindNames.WireName(alert.Event.Kind));
        Assert.Null(alert.OncePerStage);
        Assert.Equal(10, alert.Event.FromWeightPercent);
        Assert.Equal(25, alert.Event.ToWeightPercent);
        Assert.Equal("because", alert.Event.Reason);
    }

    [Theory]
    [InlineData("start")]
    [InlineData("pause")]
    [InlineData("resume")]
    [InlineData("hold")]
    public void Plan_ActionThatIsNotNews_NoAlert(string action)
    {
        Assert.Empty(AlertRules.Plan(new RunOutcome([Record(action, 500, 500)], null, null), Settings, Now));
    }

    [Fact]
    public void Plan_DryRunRollback_NoAlert()
    {
        var outcome = new RunOutcome([Record("rollback", 500, 0, dryRun: true)], null, null)
        {
            Looks = [Look("rollback", TimeSpan.FromDays(9), TimeSpan.FromDays(1), split: "off")],
        };

        Assert.Empty(AlertRules.Plan(outcome, Settings, Now));
    }

    [Fact]
    public void Plan_HoldUnderFactorTimesMinimum_NoAlert()
    {
        var outcome = new RunOutcome([Record("hold", 500, 500)], null, null) { Looks = [Look("hold", TimeSpan.FromHours(47), TimeSpan.FromDays(1))] };

        Assert.Empty(AlertRules.Plan(outcome, Settings, Now));
    }

    [Fact]
    public void Plan_HoldPastFactorTimesMinimum_LongHoldOncePerStage()
    {
        var outcome = new RunOutcome([Record("hold", 500, 500)], null, null) { Looks = [Look("hold", TimeSpan.FromHours(49), TimeSpan.FromDays(1))] };

        var alert = Assert.Single(AlertRules.Plan(outcome, Settings, Now));

        Assert.Equal(AlertKind.LongHold, alert.Event.Kind);
        Assert.Equal(new AlertStageKey(1, Now - TimeSpan.FromHours(49)), alert.OncePerStage);
        Assert.Contains("No promotion after 49 h in stage 2 (2× its minimum of 24 h)", alert.Event.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Plan_LastStageOrZeroMinimum_NoLongHold()
    {
        var outcome = new RunOutcome([Record("hold", 500, 500)], null, null)
        {
            Looks = [Look("hold", TimeSpan.FromDays(30), null), Look("hold", TimeSpan.FromDays(30), TimeSpan.Zero)],
        };

        Assert.Empty(AlertRules.Plan(outcome, Settings, Now));
    }

    [Fact]
    public void Plan_SplitMismatch_AlertOncePerStageEvenBesideRollback()
    {
        var outcome = new RunOutcome([Record("rollback", 500, 0)], 3, null)
        {
            Looks = [Look("rollback", TimeSpan.FromMinutes(5), TimeSpan.FromDays(1), split: "the canary has 2 % of requests against 5 % configured")],
        };

        var alerts = AlertRules.Plan(outcome, Settings, Now);

        Assert.Equal([AlertKind.Rollback, AlertKind.SplitMismatch], alerts.Select(a => a.Event.Kind));
        Assert.NotNull(alerts[1].OncePerStage);
        Assert.Contains("2 % of requests against 5 %", alerts[1].Event.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Plan_JudgeUnavailable_AlertOncePerStageWithTheCounts()
    {
        var outcome = new RunOutcome([Record("hold", 500, 500)], null, null)
        {
            Looks = [Look("hold", TimeSpan.FromMinutes(30), TimeSpan.FromDays(1), judge: "judge_score_mean: 40 of 40 judgements in the window failed (40) or were unparseable (0)")],
        };

        var alert = Assert.Single(AlertRules.Plan(outcome, Settings, Now));

        Assert.Equal("judge_unavailable", AlertKindNames.WireName(alert.Event.Kind));
        Assert.Equal("Quality judge unavailable", AlertKindNames.Title(alert.Event.Kind));
        Assert.Equal(new AlertStageKey(1, Now - TimeSpan.FromMinutes(30)), alert.OncePerStage);
        Assert.Equal("Quality judge unavailable: judge_score_mean: 40 of 40 judgements in the window failed (40) or were unparseable (0).", alert.Event.Reason);
    }
}
