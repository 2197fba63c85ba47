using System.Text.Json;
using Canary.IntegrationTests.Postgres;
using Xunit.Abstractions;

namespace Canary.IntegrationTests.Quality;

/// <summary>
/// The paired guard end to end (<see cref="QualityGuardRollout.StartPairedAsync"/>: the real sidecar in proxy mode,
/// real PostgreSQL, the real analyzer's preflight, start and run-once, a fake judge on loopback). Both versions answer
/// every question clearly (the rubric judge passes every answer); they differ only in which answers carry the marker the
/// fake judge prefers in a comparison: stable's answers to questions ending in 0 to 6, the canary's to questions ending
/// in 9. So of every ten prompts the canary loses seven, wins one and ties two, a loss share of 7/8 among decided pairs
/// against a 55 % threshold, with the same latency, status, usage and price as stable. Every look is one run-once after a
/// batch, which pairs the waiting samples (the other version asked through the preflight's stored endpoint) before it
/// decides; every outcome follows from the answers and the judge's rule, not from timing.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class PairedGuardEndToEndTests
{
    private const int RequestsPerLook = 300;
    private const int Looks = 2;
    private const string PairedGuard = "paired_loss_rate";

    /// <summary>The paired guard, with a minimum of decided pairs that one look's traffic passes.</summary>
    private static readonly string[] Guards = [PairedGuard + "=55%,min=50"];

    /// <summary>The guards every rollout has, which a canary that only answers worse must not trip.</summary>
    private static readonly string[] RequestGuards = ["error_rate", "latency_p95", "cost_per_request", "refusal_rate"];

    private static readonly int[] StablePreferred = [0, 1, 2, 3, 4, 5, 6];
    private static readonly int[] CanaryPreferred = [9];

    private readonly PostgresServerFixture _postgres;
    private readonly ITestOutputHelper _output;

    public PairedGuardEndToEndTests(PostgresServerFixture postgres, ITestOutputHelper output)
    {
        _postgres = postgres;
        _output = output;
    }

    /// <summary>
    /// The canary loses most comparisons: the paired guard rolls it back, with the wins, ties and losses of the window in
    /// the record; every pair's result is the one its question's answers call for; the request guards do not object;
    /// and the rollback reaches the sidecar and the alert webhook.
    /// </summary>
    [PostgresFact]
    public async Task WellFormedCanaryLosingMostPairs_RolledBackByThePairedGuardWhileRequestGuardsAreNotWorse()
    {
        await using var dataSource = await _postgres.CreateDatabaseAsync();
        await using var judge = await FakeJudgeServer.StartAsync();
        judge.Mode = FakeJudgeMode.Wording;
        await using var rollout = await QualityGuardRollout.StartPairedAsync(
            dataSource, ModelAnswers.PreferredOn(StablePreferred), ModelAnswers.PreferredOn(CanaryPreferred), judge.BaseUri, Guards);

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
        Assert.StartsWith("Rolling back: the canary's share of lost paired comparisons 87.5 % of ", rollback.Reason, StringComparison.Ordinal);
        Assert.EndsWith("is significantly worse than its 55 % (absolute) threshold.", rollback.Reason, StringComparison.Ordinal);
        Assert.Equal("Worse", rollback.GuardStatus(PairedGuard));
        foreach (var key in RequestGuards)
        {
            Assert.Contains(rollback.GuardStatus(key), new[] { "WithinThreshold", "ClearlyBetter", "Inconclusive" });
        }

        // Every sample was paired and decided, each with the result its question's two answers call for, and the
        // record counts exactly those pairs (all of them fall inside the stage's window).
        var sent = rollout.RequestsByArm.Values.Sum();
        Assert.Equal(new Dictionary<string, long> { ["decided"] = sent }, await rollout.PairsByOutcomeAsync());
        var pairs = await rollout.PairResultsByQuestionAsync();
        Assert.Equal(sent, pairs.Count);
        Assert.All(pairs, pair => Assert.Equal(ExpectedResult(pair.Question), pair.Result));
        // Every question was asked once (0, 1, ... in order), so the counts are known from the answers alone.
        var results = await rollout.PairResultsAsync();
        Assert.Equal(Enumerable.Range(0, sent).CountBy(ExpectedResult).ToDictionary(c => c.Key, c => (long)c.Value), results);
        var quality = rollback.GuardQuality(PairedGuard);
        Assert.Equal(results.GetValueOrDefault("win"), quality.GetProperty("wins").GetInt64());
        Assert.Equal(results.GetValueOrDefault("tie"), quality.GetProperty("ties").GetInt64());
        Assert.Equal(results.GetValueOrDefault("loss"), quality.GetProperty("losses").GetInt64());
        Assert.Equal(sent, quality.GetProperty("attempted").GetInt64());
        Assert.False(quality.GetProperty("judgeUnavailable").GetBoolean());
        var losses = results["loss"];
        var wins = results["win"];
        Assert.True(losses > 4 * wins, $"{losses} losses, {wins} wins");
        var guard = Guard(rollback, PairedGuard);
        Assert.Equal((double)losses / (losses + wins), guard.GetProperty("canaryValue").GetDouble(), 9);
        Assert.Equal(0.55, guard.GetProperty("stableValue").GetDouble(), 9);

        // The other version was asked once per sample of the other arm, besides the proxy's and the preflight's calls,
        // with the key from the analyzer's paired settings.
        var pairedByArm = await rollout.PairsByArmAsync();
        Assert.Equal(rollout.RequestsByArm["stable"] + QualityGuardRollout.PreflightCases + pairedByArm["canary"], rollout.UpstreamRequests("stable"));
        Assert.Equal(rollout.RequestsByArm["canary"] + QualityGuardRollout.PreflightCases + pairedByArm["stable"], rollout.UpstreamRequests("canary"));
        Assert.Equal(pairedByArm["canary"], rollout.PairingRequests("stable"));
        Assert.Equal(pairedByArm["stable"], rollout.PairingRequests("canary"));

        // The rollback reached the sidecar and the webhook.
        for (var user = 0; user < ChatTraffic.Users; user++)
        {
            Assert.Equal("stable", await rollout.RouteAsync(ChatTraffic.UserKey(user)));
        }

        var alert = Assert.Single(Alerts(rollout), a => a.GetProperty("event").GetString() == "rollback");
        Assert.Equal(rollback.Reason, alert.GetProperty("reason").GetString());
    }

    /// <summary>
    /// The same losing canary and traffic, judged by a position-biased judge that prefers whichever answer it is shown
    /// first: every verdict depends on the order, so every pair is a tie, ties are left out of the loss share, and with
    /// no decided pair the guard holds at InsufficientSamples over the looks that rolled the canary back above; the
    /// record and quality_pairs both say every pair tied.
    /// </summary>
    [PostgresFact]
    public async Task PositionBiasedJudge_SameLosingCanary_EveryPairATieAndThePairedGuardHolds()
    {
        await using var dataSource = await _postgres.CreateDatabaseAsync();
        await using var judge = await FakeJudgeServer.StartAsync();
        judge.Mode = FakeJudgeMode.PreferFirst;
        await using var rollout = await QualityGuardRollout.StartPairedAsync(
            dataSource, ModelAnswers.PreferredOn(StablePreferred), ModelAnswers.PreferredOn(CanaryPreferred), judge.BaseUri, Guards);

        for (var look = 1; look <= Looks; look++)
        {
            await rollout.SendAsync(RequestsPerLook);
            var (run, decision) = await rollout.LookAsync();
            _output.WriteLine($"look {look}: exit {run.ExitCode}\n{run.Output}{run.Error}{decision}");

            var sent = rollout.RequestsByArm.Values.Sum();
            Assert.True(run.ExitCode == 0, run.ToString());
            Assert.Equal("hold", decision.Action);
            Assert.Equal("InsufficientSamples", decision.GuardStatus(PairedGuard));
            Assert.Equal($"Holding: 0 decided paired comparisons for {PairedGuard}, under the minimum of 50.", decision.Reason);
            Assert.Contains($"pairing: {RequestsPerLook} decided (0 win(s), {RequestsPerLook} tie(s), 0 loss(es) for the canary)", run.Output, StringComparison.Ordinal);
            Assert.Contains($"order consistency 0 of {RequestsPerLook} (0 %)", run.Output, StringComparison.Ordinal);
            var quality = decision.GuardQuality(PairedGuard);
            Assert.Equal((0L, (long)sent, 0L, (long)sent), (quality.GetProperty("wins").GetInt64(), quality.GetProperty("ties").GetInt64(), quality.GetProperty("losses").GetInt64(), quality.GetProperty("attempted").GetInt64()));
            Assert.False(quality.GetProperty("judgeUnavailable").GetBoolean());
        }

        // Every pair decided as a tie, each order preferring the version shown first.
        var total = rollout.RequestsByArm.Values.Sum();
        Assert.Equal(new Dictionary<string, long> { ["decided"] = total }, await rollout.PairsByOutcomeAsync());
        Assert.Equal(new Dictionary<string, long> { ["tie"] = total }, await rollout.PairResultsAsync());
        Assert.Equal(new Dictionary<string, long> { ["canary/stable"] = total }, await rollout.PairOrdersAsync());

        Assert.DoesNotContain(Alerts(rollout), a => a.GetProperty("event").GetString() is "rollback" or "judge_unavailable");
        var canaryUser = Enumerable.Range(0, ChatTraffic.Users).Select(ChatTraffic.UserKey).First(u => QualityGuardRollout.ArmOf(u) == "canary");
        Assert.Equal("canary", await rollout.RouteAsync(canaryUser));
    }

    /// <summary>The canary's result for a question: stable's answer alone preferred is a loss, the canary's alone a win.</summary>
    private static string ExpectedResult(int question) =>
        (StablePreferred.Contains(question % 10), CanaryPreferred.Contains(question % 10)) switch
        {
            (true, false) => "loss",
            (false, true) => "win",
            _ => "tie",
        };

    private static JsonElement Guard(DecisionRow decision, string key) =>
        decision.Evidence.GetProperty("guards").EnumerateArray().Single(g => g.GetProperty("key").GetString() == key);

    private static List<JsonElement> Alerts(QualityGuardRollout rollout) =>
        [.. rollout.Webhook.Requests.Select(r => JsonDocument.Parse(r.Body).RootElement.Clone())];
}
