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

    /// <summary>
    /// A p95 this much above stable's passes whatever the ratio: on a test set of tens of cases against fast endpoints
    /// the p95 is one or two answers, and a few milliseconds of scheduling noise would otherwise fail a ratio gate.
    /// </summary>
    public TimeSpan LatencyP95Slack { get; init; } = TimeSpan.FromMilliseconds(20);

    /// <summary>Canary mean cost per request may be at most this fraction above stable's (0.50 = +50 %).</summary>
    public double CostIncrease { get; init; } = 0.50;

    /// <summary>Canary refusal rate may be at most this much (absolute) above stable's.</summary>
    public double RefusalMargin { get; init; } = 0.02;
}
