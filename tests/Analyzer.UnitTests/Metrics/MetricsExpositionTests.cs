using Canary.Analyzer.Discovery;
using Canary.Analyzer.Metrics;
using Canary.Analyzer.Push;
using Canary.Analyzer.Rollouts;

namespace Canary.Analyzer.UnitTests.Metrics;

public sealed class MetricsExpositionTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 26, 12, 0, 0, TimeSpan.Zero);

    private static DecisionRecord Record(string verdict) =>
        new("chat", Now, verdict, verdict, "r", 0, 500, 0, 2, Now, Now, 1, 1, "{}", false);

    [Fact]
    public void Write_BeforeAnyRun_CountersZeroAndGaugesWithoutValueLeftOut()
    {
        var text = MetricsExposition.Write(new AnalyzerMetrics(), null);

        Assert.Contains("canary_analyzer_runs_total{result=\"ok\"} 0\n", text, StringComparison.Ordinal);
        Assert.Contains("# TYPE canary_analyzer_last_run_timestamp_seconds gauge\n", text, StringComparison.Ordinal);
        Assert.DoesNotContain("canary_analyzer_last_run_timestamp_seconds ", text.Replace("# HELP canary_analyzer_last_run_timestamp_seconds ", "", StringComparison.Ordinal).Replace("# TYPE canary_analyzer_last_run_timestamp_seconds ", "", StringComparison.Ordinal), StringComparison.Ordinal);
        Assert.DoesNotContain("NaN", text, StringComparison.Ordinal);
        Assert.EndsWith("\n", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Write_AfterRunsAndPushes_CountsVerdictsFailuresAndLastAck()
    {
        var metrics = new AnalyzerMetrics();
        var sidecar = new SidecarEndpoint("a", "127.0.0.1", 1);
        var push = new PushSummary(2, [new PushResult(sidecar, true, 2, null, TimeSpan.FromMilliseconds(40)), new PushResult(sidecar with { Name = "b" }, false, null, "Unavailable", TimeSpan.FromSeconds(2))], TimeSpan.FromMilliseconds(40));
        metrics.RecordRun(new RunOutcome([Record("rollback"), Record("hold"), Record("hold"), Record("surprise")], 2, push), Now, TimeSpan.FromMilliseconds(250));
        metrics.RecordFailedRun(Now.AddMinutes(1), TimeSpan.FromSeconds(1));

        var text = MetricsExposition.Write(metrics, null);

        Assert.Contains("canary_analyzer_runs_total{result=\"ok\"} 1\n", text, StringComparison.Ordinal);
        Assert.Contains("canary_analyzer_runs_total{result=\"failed\"} 1\n", text, StringComparison.Ordinal);
        Assert.Contains("canary_analyzer_decisions_total{verdict=\"hold\"} 2\n", text, StringComparison.Ordinal);
        Assert.Contains("canary_analyzer_decisions_total{verdict=\"rollback\"} 1\n", text, StringComparison.Ordinal);
        Assert.Contains("canary_analyzer_decisions_total{verdict=\"other\"} 1\n", text, StringComparison.Ordinal);
        Assert.Contains("canary_analyzer_push_failures_total 1\n", text, StringComparison.Ordinal);
        Assert.Contains("canary_analyzer_last_decision_to_ack_seconds 0.04\n", text, StringComparison.Ordinal);
        Assert.Contains($"canary_analyzer_last_run_timestamp_seconds {Now.AddMinutes(1).ToUnixTimeSeconds()}\n", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Write_AfterJudgingPasses_CountsOutcomesAndTodaysSpend()
    {
        var metrics = new AnalyzerMetrics();
        metrics.RecordRun(new RunOutcome([], null, null) { Judging = new Canary.Analyzer.Quality.JudgingSummary { Judged = 3, Unparseable = 1, Failed = 2, SpentTodayUsd = 0.25m } }, Now, TimeSpan.FromSeconds(1));
        metrics.RecordRun(new RunOutcome([], null, null) { Judging = new Canary.Analyzer.Quality.JudgingSummary { Error = "database down" } }, Now, TimeSpan.FromSeconds(1));

        var text = MetricsExposition.Write(metrics, null);

        Assert.Contains("canary_analyzer_judgements_total{outcome=\"judged\"} 3\n", text, StringComparison.Ordinal);
        Assert.Contains("canary_analyzer_judgements_total{outcome=\"unparseable\"} 1\n", text, StringComparison.Ordinal);
        Assert.Contains("canary_analyzer_judgements_total{outcome=\"failed\"} 2\n", text, StringComparison.Ordinal);
        Assert.Contains("canary_analyzer_judging_pass_failures_total 1\n", text, StringComparison.Ordinal);
        Assert.Contains("canary_analyzer_judge_spend_today_usd 0.25\n", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Write_AfterPairingPasses_CountsPairsByOutcomeAndResult()
    {
        var metrics = new AnalyzerMetrics();
        var pairing = new Canary.Analyzer.Quality.PairingSummary { Decided = 4, Wins = 1, Ties = 2, Losses = 1, Unparseable = 1, OtherFailed = 2, Failed = 3 };
        metrics.RecordRun(new RunOutcome([], null, null) { Judging = new Canary.Analyzer.Quality.JudgingSummary { Pairing = pairing } }, Now, TimeSpan.FromSeconds(1));
        metrics.RecordRun(new RunOutcome([], null, null) { Judging = new Canary.Analyzer.Quality.JudgingSummary { Pairing = pairing with { Decided = 1, Wins = 1, Ties = 0, Losses = 0 } } }, Now, TimeSpan.FromSeconds(1));

        var text = MetricsExposition.Write(metrics, null);

        Assert.Contains("canary_analyzer_pairs_total{outcome=\"decided\"} 5\n", text, StringComparison.Ordinal);
        Assert.Contains("canary_analyzer_pairs_total{outcome=\"unparseable\"} 2\n", text, StringComparison.Ordinal);
        Assert.Contains("canary_analyzer_pairs_total{outcome=\"other_failed\"} 4\n", text, StringComparison.Ordinal);
        Assert.Contains("canary_analyzer_pairs_total{outcome=\"failed\"} 6\n", text, StringComparison.Ordinal);
        Assert.Contains("canary_analyzer_pair_results_total{result=\"win\"} 2\n", text, StringComparison.Ordinal);
        Assert.Contains("canary_analyzer_pair_results_total{result=\"tie\"} 2\n", text, StringComparison.Ordinal);
        Assert.Contains("canary_analyzer_pair_results_total{result=\"loss\"} 1\n", text, StringComparison.Ordinal);
    }
}
