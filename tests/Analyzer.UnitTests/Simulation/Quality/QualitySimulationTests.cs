using System.Globalization;
using Xunit.Abstractions;

namespace Canary.Analyzer.UnitTests.Simulation.Quality;

// The quality guards on simulated quality samples (docs/statistics.md, "Quality guards"). A/A: how often each guard
// rolls back a canary that is no worse (the paired guard: a canary exactly at its threshold), at a per-test α of 5 %,
// under independent requests and heavy-user traffic. Worse canary: 30 % of the canary's answers degraded by 1.5 points
// (mean score about 10.7 % lower, about 0.66 of decided pairs lost), judged at the production per-test level; how many judged samples
// (and decided pairs) each guard needs to roll it back. The CI variant runs fewer rollouts; the full variant runs with
// CANARY_SIMULATION_ROLLOUTS=1000.
public sealed class QualitySimulationTests(ITestOutputHelper output)
{
    private const int Seed = 20261206;

    /// <summary>The production per-test level with the default four guards plus the three quality guards over five stages.</summary>
    private const int ProductionGuards = 7;

    private const int ProductionStages = 5;

    /// <summary>Heavy-user traffic (top user 17 % of 5 000) whose users' prompts differ in difficulty by σ 0.3.</summary>
    internal static readonly UserTraffic HeavyUsers = SimulationTests.HeavyUsers;

    internal static QualityScenario Aa(UserTraffic traffic) =>
        new() { Name = "quality A/A, " + Describe(traffic), Traffic = traffic, UserSigma = traffic.Users > 0 ? 0.3 : 0 };

    internal static QualityScenario PairedAtThreshold(UserTraffic traffic) => new()
    {
        Name = "paired loss share at 55 % (users ±0.15), " + Describe(traffic),
        Traffic = traffic,
        PairedLossShare = 0.55,
        PairedUserSpread = 0.15,
    };

    internal static QualityScenario Worse(UserTraffic traffic, int weight = 5000) => new()
    {
        Name = string.Create(CultureInfo.InvariantCulture, $"worse canary (30 % of answers −1.5), {weight / 100} % weight, {Describe(traffic)}"),
        Traffic = traffic,
        UserSigma = traffic.Users > 0 ? 0.3 : 0,
        WeightBasisPoints = weight,
        DegradedShare = 0.3,
        DegradedDrop = 1.5,
        GuardsForBudget = ProductionGuards,
        StagesForBudget = ProductionStages,
        RollbackAlpha = 0.01,
        MaximumSamples = 8000,
    };

    [Fact]
    public void QualitySimulation_Aa_FalseRollbacksUnderAlpha()
    {
        foreach (var traffic in new[] { UserTraffic.Independent, HeavyUsers })
        {
            var aa = Run(Aa(traffic) with { MaximumSamples = 1500 }, 100);
            Assert.All(aa.RolledBack, r => Assert.True(r.Value <= 10, aa.Format()));
        }

        var boundary = Run(PairedAtThreshold(HeavyUsers) with { MaximumSamples = 1500 }, 100);
        Assert.True(boundary.RolledBack["paired_loss_rate"] <= 10, boundary.Format());
    }

    [Fact]
    public void QualitySimulation_WorseCanaryAtFivePercent_RolledBackAndPairedNeedsFewerSamples()
    {
        // At 5 % the score guard waits for the canary arm's few samples; every sample of either arm makes a pair.
        var worse = Run(Worse(UserTraffic.Independent, 500), 40);
        Assert.True(worse.RolledBack["judge_score_mean"] >= 36, worse.Format());
        Assert.True(worse.RolledBack["paired_loss_rate"] >= 38, worse.Format());
        Assert.True(worse.MedianJudgedToRollback["paired_loss_rate"] < worse.MedianJudgedToRollback["judge_score_mean"], worse.Format());
    }

    [FullSimulationFact]
    [Trait("Category", "FullSimulation")]
    public void FullSimulation_QualityGuards_ReportsOutcomes()
    {
        var rollouts = int.Parse(Environment.GetEnvironmentVariable(FullSimulationFactAttribute.Variable)!, CultureInfo.InvariantCulture);
        foreach (var traffic in new[] { UserTraffic.Independent, HeavyUsers })
        {
            var aa = Run(Aa(traffic), rollouts);
            Assert.All(aa.RolledBack, r => Assert.True(r.Value <= 0.05 * rollouts, aa.Format()));
            var boundary = Run(PairedAtThreshold(traffic), rollouts);
            Assert.True(boundary.RollbackRate("paired_loss_rate") <= 0.05, boundary.Format());
            foreach (var weight in new[] { 5000, 500 })
            {
                var worse = Run(Worse(traffic, weight), rollouts);
                Assert.True(worse.RollbackRate("paired_loss_rate") >= 0.95, worse.Format());
            }
        }
    }

    private static string Describe(UserTraffic traffic) =>
        traffic.Users > 0 ? "heavy users (top 17 % of 5 000), prompt difficulty per user σ 0.3" : traffic.Name;

    private QualitySimulationSummary Run(QualityScenario scenario, int rollouts)
    {
        var watch = System.Diagnostics.Stopwatch.StartNew();
        var summary = QualitySimulationSummary.Run(scenario, rollouts, Seed, Environment.ProcessorCount);
        output.WriteLine(summary.Format() + string.Create(CultureInfo.InvariantCulture, $" [{watch.Elapsed.TotalSeconds:0} s]"));
        return summary;
    }
}
