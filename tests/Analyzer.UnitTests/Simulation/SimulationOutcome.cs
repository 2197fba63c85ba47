namespace Canary.Analyzer.UnitTests.Simulation;

/// <summary>How a simulated rollout ended.</summary>
internal enum SimulationOutcome
{
    RolledBack,
    Completed,
    TimedOut,
}
