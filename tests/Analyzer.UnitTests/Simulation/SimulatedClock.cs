namespace Canary.Analyzer.UnitTests.Simulation;

/// <summary>A manually advanced clock for simulated rollouts.</summary>
internal sealed class SimulatedClock(DateTimeOffset start) : TimeProvider
{
    private DateTimeOffset _now = start;

    public override DateTimeOffset GetUtcNow() => _now;

    public void Advance(TimeSpan by) => _now += by;
}
