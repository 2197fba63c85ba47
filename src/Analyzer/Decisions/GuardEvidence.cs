using Canary.Analyzer.Statistics;

namespace Canary.Analyzer.Decisions;

/// <summary>
/// What one guard saw at one look: samples, estimates, the always-valid interval, the always-valid p-values of its
/// hypotheses (from the running maxima of the stage), the levels they were judged at, and the outcome.
/// </summary>
internal sealed record GuardEvidence
{
    public required string Key { get; init; }

    public required GuardMetric Metric { get; init; }

    public required double Threshold { get; init; }

    public double? ClearlyBetterRatio { get; init; }

    public required GuardStatus Status { get; init; }

    public long CanarySamples { get; init; }

    public long StableSamples { get; init; }

    /// <summary>Estimates, ratio, interval and current ln Λ values; null when the guard was not evaluated.</summary>
    public RatioEvidence? Comparison { get; init; }

    /// <summary>Always-valid p-value of H0 "canary ≤ stable".</summary>
    public double PValueWorseThanStable { get; init; } = 1;

    /// <summary>Always-valid p-value of H0 "canary ≤ (1 + threshold) × stable".</summary>
    public double PValueWorseThanMargin { get; init; } = 1;

    /// <summary>Always-valid p-value of H0 "canary ≥ (1 + threshold) × stable" (non-inferiority).</summary>
    public double PValueWithinMargin { get; init; } = 1;

    /// <summary>Always-valid p-value of H0 "canary ≥ clearly-better ratio × stable".</summary>
    public double PValueClearlyBetter { get; init; } = 1;

    /// <summary>Rates with a floor: always-valid p-value of H0 "canary rate ≥ floor".</summary>
    public double PValueBelowFloor { get; init; } = 1;

    public GuardSequentialState State { get; init; } = GuardSequentialState.Empty;

    /// <summary>
    /// How the variance treated users: null when requests were taken as independent (telemetry without user groups),
    /// else each arm's groups with samples and design effect.
    /// </summary>
    public UserLevelVariance? UserLevel { get; init; }

    /// <summary>Quality guards: what the judge gave the guard in the window; null for the other guards.</summary>
    public QualityGuardCounts? Quality { get; init; }
}
