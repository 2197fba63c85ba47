namespace Canary.Analyzer.UnitTests.Simulation;

/// <summary>
/// A fact that runs only when CANARY_SIMULATION_ROLLOUTS is set (the full simulation takes minutes, not seconds).
/// </summary>
public sealed class FullSimulationFactAttribute : FactAttribute
{
    public const string Variable = "CANARY_SIMULATION_ROLLOUTS";

    public FullSimulationFactAttribute()
    {
        if (string.IsNullOrEmpty(Environment.GetEnvironmentVariable(Variable)))
        {
            Skip = "Set " + Variable + " (e.g. 1000) to run the full simulation.";
        }
    }
}
