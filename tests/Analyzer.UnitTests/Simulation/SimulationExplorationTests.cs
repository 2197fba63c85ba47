using System.Globalization;
using Xunit.Abstractions;

namespace Canary.Analyzer.UnitTests.Simulation;

public sealed class SimulationExplorationTests(ITestOutputHelper output)
{
    [FullSimulationFact]
    [Trait("Category", "FullSimulation")]
    public void Explore()
    {
        var rollouts = int.Parse(Environment.GetEnvironmentVariable(FullSimulationFactAttribute.Variable)!, CultureInfo.InvariantCulture);
        string E(string name, string fallback) => Environment.GetEnvironmentVariable(name) ?? fallback;
        double D(string name, double fallback) => double.Parse(E(name, fallback.ToString(CultureInfo.InvariantCulture)), CultureInfo.InvariantCulture);
        var traffic = new UserTraffic
        {
            Name = "x",
            Users = (int)D("SIM_USERS", 5000),
            TopUserShare = D("SIM_TOP", 0.17),
            LatencySigma = D("SIM_LS", 0.3),
            ErrorSigma = D("SIM_ES", 0.7),
            RefusalSigma = D("SIM_RS", 0.7),
            CostSigma = D("SIM_CS", 0.5),
        };
        var scenario = new SimulationScenario
        {
            Name = E("SIM_NAME", "explore"),
            Traffic = traffic.Users == 0 ? UserTraffic.Independent : traffic,
            UserLevelAnalysis = E("SIM_USERLEVEL", "1") == "1",
            CanaryErrorMultiplier = D("SIM_ERR", 1),
            CanaryLatencyMultiplier = D("SIM_LAT", 1),
            CanaryCostMultiplier = D("SIM_COST", 1),
        };
        if (E("SIM_TRACE", "0") == "1")
        {
            var n = 0;
            new RolloutSimulator(scenario).Run((int)D("SIM_SEED", 20261205), d =>
            {
                if (++n % (int)D("SIM_EVERY", 288) != 0 && d.Verdict == Canary.Analyzer.Decisions.Verdict.Hold)
                {
                    return;
                }

                output.WriteLine($"{d.DecidedAt:MM-dd HH:mm} stage {d.StageIndex} {d.Verdict}: {d.Reason}");
                if (E("SIM_DUMP", "0") == "1" && d.CanaryEvidence.Groups is { } cgs)
                {
                    output.WriteLine("   canary requests " + string.Join(",", cgs.Requests));
                    output.WriteLine("   canary refusals " + string.Join(",", cgs.Refusals));
                }
                foreach (var g in d.Guards)
                {
                    var c = g.Comparison;
                    output.WriteLine($"   {g.Key} {g.Status} n={g.CanarySamples}/{g.StableSamples} ratio={c?.Ratio:0.###} [{c?.LowerBound:0.###}, {c?.UpperBound:0.###}] ul={g.UserLevel}");
                }
            });
            return;
        }

        if (E("SIM_FIND", "0") == "1")
        {
            var simulator = new RolloutSimulator(scenario);
            for (var i = 0; i < rollouts; i++)
            {
                var seed = unchecked((int)D("SIM_SEED", 20261205) + (i * 7919));
                var r = simulator.Run(seed);
                if (r.Outcome == SimulationOutcome.RolledBack || r.HeldOnSplit)
                {
                    output.WriteLine($"seed {seed}: {r}");
                }
            }

            return;
        }

        var watch = System.Diagnostics.Stopwatch.StartNew();
        var summary = SimulationRunner.Run(scenario, rollouts, (int)D("SIM_SEED", 20261205), Environment.ProcessorCount);
        output.WriteLine(SimulationRunner.Format(summary) + $" [{watch.Elapsed.TotalSeconds:0.0} s]");
    }
}
