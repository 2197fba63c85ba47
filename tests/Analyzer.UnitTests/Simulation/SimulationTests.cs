using System.Globalization;
using Xunit.Abstractions;

namespace Canary.Analyzer.UnitTests.Simulation;

// Full rollouts at production cadence: looks every 5 minutes, 10 requests/s with a ±50 % daily cycle, the default
// schedule (5→10→25→50→75→100 % over 2/2/3/3/4 days), defaults for every guard. The CI variant runs fewer rollouts;
// the full variant (docs/statistics.md) runs with CANARY_SIMULATION_ROLLOUTS=1000.
public sealed class SimulationTests(ITestOutputHelper output)
{
    private const int Seed = 20261126;

    internal static SimulationScenario AaScenario => new() { Name = "A/A" };

    internal static SimulationScenario ErrorScenario => new() { Name = "A/B error rate 1 % → 1.5 %", CanaryErrorMultiplier = 1.5 };

    internal static SimulationScenario LatencyScenario => new() { Name = "A/B latency ×1.3 (p95 +30 %)", CanaryLatencyMultiplier = 1.3 };

    [Fact]
    public void Simulation_AaRollouts_RarelyRollBack()
    {
        var summary = SimulationRunner.Run(AaScenario, 100, Seed, 2);
        output.WriteLine(SimulationRunner.Format(summary));
        Assert.True(summary.RolledBack <= 2, SimulationRunner.Format(summary));
        Assert.True(summary.Completed >= 95, SimulationRunner.Format(summary));
    }

    [Fact]
    public void Simulation_ErrorRatePlus50Percent_IsRolledBack()
    {
        var summary = SimulationRunner.Run(ErrorScenario, 200, Seed, 2);
        output.WriteLine(SimulationRunner.Format(summary));
        Assert.True(summary.RolledBack >= 190, SimulationRunner.Format(summary));
        Assert.Equal(0, summary.Completed);
    }

    [Fact]
    public void Simulation_LatencyP95Plus30Percent_IsRolledBack()
    {
        var summary = SimulationRunner.Run(LatencyScenario, 200, Seed, 2);
        output.WriteLine(SimulationRunner.Format(summary));
        Assert.True(summary.RolledBack >= 190, SimulationRunner.Format(summary));
        Assert.Equal(0, summary.Completed);
    }

    [FullSimulationFact]
    [Trait("Category", "FullSimulation")]
    public void FullSimulation_ProductionCadence_MeetsGoals()
    {
        var rollouts = int.Parse(Environment.GetEnvironmentVariable(FullSimulationFactAttribute.Variable)!, CultureInfo.InvariantCulture);
        var aa = SimulationRunner.Run(AaScenario, rollouts, Seed, Environment.ProcessorCount);
        output.WriteLine(SimulationRunner.Format(aa));
        var errors = SimulationRunner.Run(ErrorScenario, rollouts, Seed, Environment.ProcessorCount);
        output.WriteLine(SimulationRunner.Format(errors));
        var latency = SimulationRunner.Run(LatencyScenario, rollouts, Seed, Environment.ProcessorCount);
        output.WriteLine(SimulationRunner.Format(latency));

        Assert.True(aa.RollbackRate <= 0.01, SimulationRunner.Format(aa));
        Assert.True(errors.RollbackRate >= 0.95, SimulationRunner.Format(errors));
        Assert.True(latency.RollbackRate >= 0.95, SimulationRunner.Format(latency));
    }

    [FullSimulationFact]
    [Trait("Category", "FullSimulation")]
    public void FullSimulation_EffectSizes_ReportsOutcomes()
    {
        // Informational: where the rules land for effects inside, at and beyond the thresholds.
        var rollouts = int.Parse(Environment.GetEnvironmentVariable(FullSimulationFactAttribute.Variable)!, CultureInfo.InvariantCulture);
        SimulationScenario[] scenarios =
        [
            new() { Name = "A/B error rate ×1.1 (inside +50 %)", CanaryErrorMultiplier = 1.1 },
            new() { Name = "A/B error rate ×1.25 (inside +50 %)", CanaryErrorMultiplier = 1.25 },
            new() { Name = "A/B error rate ×2", CanaryErrorMultiplier = 2 },
            new() { Name = "A/B latency ×1.1 (inside +30 %)", CanaryLatencyMultiplier = 1.1 },
            new() { Name = "A/B latency ×1.15 (inside +30 %)", CanaryLatencyMultiplier = 1.15 },
            new() { Name = "A/B cost ×1.5 (at +50 %)", CanaryCostMultiplier = 1.5 },
            new() { Name = "A/B error rate ×0.4 (clearly better)", CanaryErrorMultiplier = 0.4 },
        ];
        foreach (var scenario in scenarios)
        {
            var summary = SimulationRunner.Run(scenario, rollouts, Seed, Environment.ProcessorCount);
            output.WriteLine(SimulationRunner.Format(summary));
            Assert.Equal(rollouts, summary.Rollouts);
        }
    }
}
