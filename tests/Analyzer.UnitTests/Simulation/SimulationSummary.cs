namespace Canary.Analyzer.UnitTests.Simulation;

/// <summary>Aggregate of many simulated rollouts of one scenario.</summary>
internal sealed record SimulationSummary(
    string Scenario,
    int Rollouts,
    int RolledBack,
    int Completed,
    int TimedOut,
    double MedianCanaryRequestsToRollback,
    double P95CanaryRequestsToRollback,
    TimeSpan MedianTimeToRollback,
    TimeSpan MedianTimeToComplete,
    IReadOnlyDictionary<string, int> RollbacksByGuard,
    int HeldOnSplit = 0)
{
    /// <summary>Share of rollouts that held on a split mismatch at least once.</summary>
    public double SplitHoldRate => Rollouts == 0 ? 0 : (double)HeldOnSplit / Rollouts;

    public double RollbackRate => Rollouts == 0 ? 0 : (double)RolledBack / Rollouts;
}
