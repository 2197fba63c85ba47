using System.Text.Json;
using Canary.IntegrationTests.Postgres;
using Xunit.Abstractions;

namespace Canary.IntegrationTests.Quality;

/// <summary>
/// The quality guards end to end (<see cref="QualityGuardRollout"/>: the real sidecar in proxy mode, real PostgreSQL, the
/// real analyzer's start and run-once, a fake judge on loopback). Traffic comes from 150 users, three of them heavy, at
/// a 100 % sample rate, so a few hundred requests give each arm well over the quality guards' minimum of judged samples;
/// every look is one run-once after a batch, and every outcome follows from the upstreams' answers and the judge's
/// rule (<see cref="FakeJudgeMode.Wording"/>), not from timing. Of every ten questions stable answers one muddled.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class QualityGuardEndToEndTests
{
    private const int RequestsPerLook = 300;
    private const int Looks = 3;

    /// <summary>
    /// The opt-in quality guards of these rollouts (min: judged samples per arm). The fail rate's floor lets a canary
    /// failing as few answers as stable (10 %) be shown within at these sample sizes; a canary failing 60 % is far above it.
    /// </summary>
    private static readonly string[] QualityGuards = ["judge_score_mean=10%,min=50", "judge_fail_rate=+50%,floor=0.25,min=50"];

    /// <summary>
    /// Request guards that A/A traffic is shown within at a few hundred requests (floors on the zero error and refusal
    /// rates, a latency margin no loopback noise reaches), so that with the stage time served only the quality guards
    /// can stand between a look and promotion.
    /// </summary>
    private static readonly string[] PassableRequestGuards = ["error_rate=+50%,floor=0.05", "refusal_rate=+100%,floor=0.05", "latency_p95=+100000%"];

    /// <summary>
    /// How long ago the stage started in the tests where the stage time may be served: past the stage's hour, so a look
    /// may promote, and short of twice that, where every hold would also raise a long-hold alert.
    /// </summary>
    private static readonly TimeSpan StageTimeServed = TimeSpan.FromMinutes(90);

    private static readonly string[] QualityKeys = ["judge_score_mean", "judge_fail_rate"];

    /// <summary>The guards every rollout has, which a canary that only answers worse must not trip.</summary>
    private static readonly string[] RequestGuards = ["error_rate", "latency_p95", "cost_per_request", "refusal_rate"];

    private readonly PostgresServerFixture _postgres;
    private readonly ITestOutputHelper _output;

    public QualityGuardEndToEndTests(PostgresServerFixture postgres, ITestOutputHelper output)
    {
        _postgres = postgres;
        _output = output;
    }

    /// <summary>
    /// The canary answers six of every ten questions muddled (the judge scores those 2 and fails them) with the same
    /// latency, status, usage and price as stable: the judge guards roll it back, the request guards do not object, and
    /// the rollback reaches the sidecar and the alert webhook.
    /// </summary>
    [PostgresFact]
    public async Task WellFormedButWorseCanary_RolledBackByTheJudgeGuardWhileRequestGuardsAreNotWorse()
    {
        await using var dataSource = await _postgres.CreateDatabaseAsync();
        await using var judge = await FakeJudgeServer.StartAsync();
        judge.Mode = FakeJudgeMode.Wording;
        await using var rollout = await QualityGuardRollout.StartAsync(dataSource, stableMuddledPerTen: 1, canaryMuddledPerTen: 6, judge.BaseUri, QualityGuards);

        DecisionRow? rollback = null;
        for (var look = 1; look <= Looks && rollback is null; look++)
        {
            await rollout.SendAsync(RequestsPerLook);
            var (run, decision) = await rollout.LookAsync();
            _output.WriteLine($"look {look} ({rollout.RequestsByArm["canary"]} canary, {rollout.RequestsByArm["stable"]} stable requests): exit {run.ExitCode}\n{run.Output}{run.Error}{decision}");
            if (decision.Action == "rollback")
            {
                Assert.True(run.ExitCode == 3, run.ToString());
                rollback = decision;
            }
            else
            {
                Assert.True(run.ExitCode == 0 && decision.Action == "hold", decision.ToString());
            }
        }

        Assert.True(rollback is not null, $"no rollback in {Looks} looks");
        Assert.Contains("judge", rollback.Reason, StringComparison.OrdinalIgnoreCase);
        Assert.Contains(new[] { "judge_score_mean", "judge_fail_rate" }, key => rollback.GuardStatus(key) == "Worse");
        foreach (var key in RequestGuards)
        {
            Assert.Contains(rollback.GuardStatus(key), new[] { "WithinThreshold", "ClearlyBetter", "Inconclusive" });
        }

        // Every sample was judged, by its answer's wording alone.
        var judgements = await rollout.JudgementsByOutcomeAsync();
        Assert.Equal(rollout.RequestsByArm.Values.Sum(), judgements.GetValueOrDefault("judged"));
        Assert.Equal([], judgements.Keys.Except(["judged"]));

        // The rollback reached the sidecar and the webhook.
        for (var user = 0; user < ChatTraffic.Users; user++)
        {
            Assert.Equal("stable", await rollout.RouteAsync(ChatTraffic.UserKey(user)));
        }

        var alert = Assert.Single(Alerts(rollout), a => a.GetProperty("event").GetString() == "rollback");
        Assert.Contains("judge", alert.GetProperty("reason").GetString(), StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>
    /// A/A with the judge and the quality guards on: both versions answer the same questions the same way, and over
    /// the same traffic and looks as the worse canary was rolled back in, no look rolls back.
    /// </summary>
    [PostgresFact]
    public async Task SameAnswersInBothArms_JudgeAndQualityGuardsOn_NotRolledBack()
    {
        await using var dataSource = await _postgres.CreateDatabaseAsync();
        await using var judge = await FakeJudgeServer.StartAsync();
        judge.Mode = FakeJudgeMode.Wording;
        await using var rollout = await QualityGuardRollout.StartAsync(dataSource, stableMuddledPerTen: 1, canaryMuddledPerTen: 1, judge.BaseUri, QualityGuards);

        DecisionRow? last = null;
        for (var look = 1; look <= Looks; look++)
        {
            await rollout.SendAsync(RequestsPerLook);
            var (run, decision) = await rollout.LookAsync();
            _output.WriteLine($"look {look} ({rollout.RequestsByArm["canary"]} canary, {rollout.RequestsByArm["stable"]} stable requests): exit {run.ExitCode}\n{run.Output}{run.Error}{decision}");

            Assert.True(run.ExitCode == 0, run.ToString());
            Assert.Equal("hold", decision.Action);
            Assert.All(decision.Guards(QualityKeys), status => Assert.NotEqual("Worse", status));
            last = decision;
        }

        // The quality guards had their evidence: every sample judged, and a comparison made at the last look.
        Assert.Equal(rollout.RequestsByArm.Values.Sum(), (await rollout.JudgementsByOutcomeAsync()).GetValueOrDefault("judged"));
        Assert.All(last!.Guards(QualityKeys), status => Assert.Contains(status, new[] { "WithinThreshold", "ClearlyBetter", "Inconclusive" }));
        Assert.DoesNotContain(Alerts(rollout), a => a.GetProperty("event").GetString() is "rollback" or "judge_unavailable");
        var canaryUser = Enumerable.Range(0, ChatTraffic.Users).Select(ChatTraffic.UserKey).First(u => QualityGuardRollout.ArmOf(u) == "canary");
        Assert.Equal("canary", await rollout.RouteAsync(canaryUser));
    }

    /// <summary>
    /// The control of the judge-unavailable tests: the same A/A rollout with its stage time served and passable request
    /// guards, and a judge that answers, completes; so what holds it there is the judge alone.
    /// </summary>
    [PostgresFact]
    public async Task JudgeAnswers_SameRolloutAsTheUnavailableJudgeTests_Completes()
    {
        await using var dataSource = await _postgres.CreateDatabaseAsync();
        await using var judge = await FakeJudgeServer.StartAsync();
        judge.Mode = FakeJudgeMode.Wording;
        await using var rollout = await QualityGuardRollout.StartAsync(
            dataSource, stableMuddledPerTen: 1, canaryMuddledPerTen: 1, judge.BaseUri, [.. QualityGuards, .. PassableRequestGuards], StageTimeServed);

        DecisionRow? complete = null;
        for (var look = 1; look <= Looks && complete is null; look++)
        {
            await rollout.SendAsync(RequestsPerLook);
            var (run, decision) = await rollout.LookAsync();
            _output.WriteLine($"look {look}: exit {run.ExitCode}\n{run.Output}{run.Error}{decision}");
            Assert.True(run.ExitCode == 0, run.ToString());
            complete = decision.Action == "complete" ? decision : null;
            Assert.True(complete is not null || decision.Action == "hold", decision.ToString());
        }

        Assert.True(complete is not null, $"not complete after {Looks} looks");
        Assert.All(complete.Guards(QualityKeys), status => Assert.Contains(status, new[] { "WithinThreshold", "ClearlyBetter" }));
    }

    /// <summary>A judge that refuses every connection: the rollout holds on the judge and alerts once.</summary>
    [PostgresFact]
    public async Task JudgeRefusesConnections_RolloutHoldsWithJudgeUnavailableAndAlertsOnce()
    {
        using var down = new RefusingEndpoint();
        await HoldsOnAnUnavailableJudgeAsync(down.BaseUri, "failed");
    }

    /// <summary>A judge that answers every call with 500: the rollout holds on the judge and alerts once.</summary>
    [PostgresFact]
    public async Task JudgeAnswers500_RolloutHoldsWithJudgeUnavailableAndAlertsOnce()
    {
        await using var judge = await FakeJudgeServer.StartAsync();
        judge.Mode = FakeJudgeMode.ServerError;
        await HoldsOnAnUnavailableJudgeAsync(judge.BaseUri, "failed");
        Assert.NotEmpty(judge.Requests);
    }

    /// <summary>A judge that answers prose instead of verdicts: the rollout holds on the judge and alerts once.</summary>
    [PostgresFact]
    public async Task JudgeAnswersGarbage_RolloutHoldsWithJudgeUnavailableAndAlertsOnce()
    {
        await using var judge = await FakeJudgeServer.StartAsync();
        judge.Mode = FakeJudgeMode.Garbage;
        await HoldsOnAnUnavailableJudgeAsync(judge.BaseUri, "unparseable");
        Assert.NotEmpty(judge.Requests);
    }

    /// <summary>
    /// The control's rollout (<see cref="JudgeAnswers_SameRolloutAsTheUnavailableJudgeTests_Completes"/>) with an
    /// unavailable judge: two looks hold instead of completing, the quality guards' status is JudgeUnavailable (no
    /// verdict either way), the samples are stored with <paramref name="outcome"/> and none is judged, and the webhook
    /// hears one judge_unavailable alert for the stage and nothing else.
    /// </summary>
    private async Task HoldsOnAnUnavailableJudgeAsync(Uri judge, string outcome)
    {
        await using var dataSource = await _postgres.CreateDatabaseAsync();
        await using var rollout = await QualityGuardRollout.StartAsync(
            dataSource, stableMuddledPerTen: 1, canaryMuddledPerTen: 1, judge, [.. QualityGuards, .. PassableRequestGuards], StageTimeServed);

        for (var look = 1; look <= 2; look++)
        {
            await rollout.SendAsync(RequestsPerLook);
            var (run, decision) = await rollout.LookAsync();
            _output.WriteLine($"look {look}: exit {run.ExitCode}\n{run.Output}{run.Error}{decision}");

            Assert.True(run.ExitCode == 0, run.ToString());
            Assert.Equal("hold", decision.Action);
            Assert.All(decision.Guards(QualityKeys), status => Assert.Equal("JudgeUnavailable", status));
            Assert.Contains("judge is unavailable", decision.Reason, StringComparison.Ordinal);
        }

        var judgements = await rollout.JudgementsByOutcomeAsync();
        Assert.True(judgements.GetValueOrDefault(outcome) > 0, string.Join(", ", judgements));
        Assert.Equal(0, judgements.GetValueOrDefault("judged"));

        // One alert for the stage, though two looks found the judge unavailable; nothing else was alerted.
        var alert = Assert.Single(Alerts(rollout));
        Assert.Equal("judge_unavailable", alert.GetProperty("event").GetString());
        Assert.Equal(QualityGuardRollout.Route, alert.GetProperty("rollout").GetString());
        Assert.Equal(50, alert.GetProperty("toWeightPercent").GetDouble());
    }

    private static List<JsonElement> Alerts(QualityGuardRollout rollout) =>
        [.. rollout.Webhook.Requests.Select(r => JsonDocument.Parse(r.Body).RootElement.Clone())];
}
