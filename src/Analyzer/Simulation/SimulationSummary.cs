namespace Canary.Analyzer.Simulation;

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
    IReadOnlyDictionary<string, int> RollbacksByGuard)
{
    public double RollbackRate => Rollouts == 0 ? 0 : (double)RolledBack / Rollouts;
}
