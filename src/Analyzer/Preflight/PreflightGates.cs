namespace Canary.Analyzer.Preflight;

/// <summary>The limits a canary must meet against stable on the test set (defaults in docs/preflight.md).</summary>
internal sealed record PreflightGates
{
    /// <summary>Every must-pass case must pass on the canary.</summary>
    public bool RequireMustPass { get; init; } = true;

    /// <summary>Canary pass rate may be at most this much (absolute, 0.05 = 5 points) below stable's.</summary>
    public double PassRateMargin { get; init; } = 0.05;

    /// <summary>Canary p95 latency may be at most this fraction above stable's (0.30 = +30 %).</summary>
    public double LatencyP95Increase { get; init; } = 0.30;

    /// <summary>Canary mean cost per request may be at most this fraction above stable's (0.50 = +50 %).</summary>
    public double CostIncrease { get; init; } = 0.50;

    /// <summary>Canary refusal rate may be at most this much (absolute) above stable's.</summary>
    public double RefusalMargin { get; init; } = 0.02;
}
