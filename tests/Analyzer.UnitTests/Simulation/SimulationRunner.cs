using System.Globalization;
using System.Text;

namespace Canary.Analyzer.UnitTests.Simulation;

/// <summary>Runs many seeded rollouts of a scenario (in parallel, results independent of scheduling) and summarises them.</summary>
internal static class SimulationRunner
{
    public static SimulationSummary Run(SimulationScenario scenario, int rollouts, int seed, int maxDegreeOfParallelism)
    {
        var simulator = new RolloutSimulator(scenario);
        var results = new SimulationResult[rollouts];
        Parallel.For(0, rollouts, new ParallelOptions { MaxDegreeOfParallelism = maxDegreeOfParallelism },
            i => results[i] = simulator.Run(unchecked(seed + (i * 7919))));
        return Summarise(scenario.Name, results);
    }

    public static SimulationSummary Summarise(string name, IReadOnlyList<SimulationResult> results)
    {
        var rolledBack = new List<SimulationResult>();
        var completedTimes = new List<TimeSpan>();
        var timedOut = 0;
        var heldOnSplit = 0;
        var byGuard = new SortedDictionary<string, int>(StringComparer.Ordinal);
        foreach (var result in results)
        {
            if (result.HeldOnSplit)
            {
                heldOnSplit++;
            }

            switch (result.Outcome)
            {
                case SimulationOutcome.RolledBack:
                    rolledBack.Add(result);
                    var key = result.Guard ?? "unknown";
                    byGuard[key] = byGuard.TryGetValue(key, out var n) ? n + 1 : 1;
                    break;
                case SimulationOutcome.Completed:
                    completedTimes.Add(result.Elapsed);
                    break;
                default:
                    timedOut++;
                    break;
            }
        }

        var requests = new double[rolledBack.Count];
        var times = new TimeSpan[rolledBack.Count];
        for (var i = 0; i < rolledBack.Count; i++)
        {
            requests[i] = rolledBack[i].CanaryRequests;
            times[i] = rolledBack[i].Elapsed;
        }

        Array.Sort(requests);
        Array.Sort(times);
        completedTimes.Sort();
        return new SimulationSummary(
            name,
            results.Count,
            rolledBack.Count,
            completedTimes.Count,
            timedOut,
            Percentile(requests, 0.5),
            Percentile(requests, 0.95),
            times.Length == 0 ? TimeSpan.Zero : times[times.Length / 2],
            completedTimes.Count == 0 ? TimeSpan.Zero : completedTimes[completedTimes.Count / 2],
            byGuard,
            heldOnSplit);
    }

    public static string Format(SimulationSummary summary)
    {
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"{summary.Scenario}: {summary.Rollouts} rollouts, rolled back {summary.RolledBack} ({summary.RollbackRate * 100:0.##} %), completed {summary.Completed}, timed out {summary.TimedOut}, held on a split mismatch {summary.HeldOnSplit} ({summary.SplitHoldRate * 100:0.##} %)");
        if (summary.RolledBack > 0)
        {
            text.Append(CultureInfo.InvariantCulture, $"; canary requests to rollback median {summary.MedianCanaryRequestsToRollback:0} (p95 {summary.P95CanaryRequestsToRollback:0}), median time {summary.MedianTimeToRollback.TotalHours:0.##} h; by guard:");
            foreach (var (guard, count) in summary.RollbacksByGuard)
            {
                text.Append(CultureInfo.InvariantCulture, $" {guard}={count}");
            }
        }

        if (summary.Completed > 0)
        {
            text.Append(CultureInfo.InvariantCulture, $"; median time to complete {summary.MedianTimeToComplete.TotalDays:0.##} d");
        }

        return text.ToString();
    }

    private static double Percentile(double[] sorted, double p) =>
        sorted.Length == 0 ? 0 : sorted[Math.Min(sorted.Length - 1, (int)Math.Floor(p * sorted.Length))];
}
