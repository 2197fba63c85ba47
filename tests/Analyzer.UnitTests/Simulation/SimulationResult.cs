namespace Canary.Analyzer.UnitTests.Simulation;

/// <summary>One simulated rollout: outcome, when, at which stage, which guard, and how many canary requests it took.</summary>
internal readonly record struct SimulationResult(
    SimulationOutcome Outcome,
    TimeSpan Elapsed,
    int StageIndex,
    string? Guard,
    long CanaryRequests,
    int Looks,
    bool HeldOnSplit = false);
