using Canary.Analyzer.Decisions;

namespace Canary.Analyzer.UnitTests.Simulation;

/// <summary>
/// A synthetic service and an injected canary difference: traffic with a daily cycle from a population of users
/// (<see cref="Traffic"/>), error and refusal rates, and log-normal latency and cost distributions; the canary multiplies
/// some of them for every user it serves.
/// </summary>
internal sealed record SimulationScenario
{
    public required string Name { get; init; }

    public DecisionOptions Options { get; init; } = new();

    /// <summary>Who sends the requests: independent requests, or users with heavy hitters and habits of their own.</summary>
    public UserTraffic Traffic { get; init; } = UserTraffic.Independent;

    /// <summary>
    /// Whether the evidence carries user groups and bucket sets (as the sidecars record them); false judges requests as
    /// independent, as the analyzer does with telemetry that has neither.
    /// </summary>
    public bool UserLevelAnalysis { get; init; } = true;

    /// <summary>Mean requests per second over a day.</summary>
    public double RequestsPerSecond { get; init; } = 10;

    /// <summary>Relative amplitude of the sinusoidal daily traffic cycle.</summary>
    public double DailyAmplitude { get; init; } = 0.5;

    public TimeSpan LookInterval { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>A rollout still undecided after this long counts as timed out.</summary>
    public TimeSpan MaximumDuration { get; init; } = TimeSpan.FromDays(30);

    public double StableErrorRate { get; init; } = 0.01;

    public double CanaryErrorMultiplier { get; init; } = 1;

    public double StableRefusalRate { get; init; } = 0.005;

    public double CanaryRefusalMultiplier { get; init; } = 1;

    /// <summary>Median latency in milliseconds; p95 = median · e^(1.645σ).</summary>
    public double StableLatencyMedian { get; init; } = 800;

    public double LatencySigma { get; init; } = 0.5;

    /// <summary>Multiplies every canary latency quantile (so p95 too).</summary>
    public double CanaryLatencyMultiplier { get; init; } = 1;

    /// <summary>Median cost per request in micro-dollars.</summary>
    public double StableCostMedian { get; init; } = 2000;

    public double CostSigma { get; init; } = 0.8;

    public double CanaryCostMultiplier { get; init; } = 1;
}
