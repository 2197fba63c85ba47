namespace Canary.Demo.LiveView;

/// <summary>One arm's telemetry as the sidecar recorded it, over the current stage: counts, rates, p95s, tokens, cost.</summary>
internal readonly record struct ArmStats(
    long Requests,
    long Errors,
    long Refusals,
    double P95LatencyMs,
    double P95TimeToFirstTokenMs,
    double MeanOutputTokens,
    double MeanCostMicroUsd)
{
    public double ErrorRate => Requests == 0 ? 0 : (double)Errors / Requests;

    public double RefusalRate => Requests == 0 ? 0 : (double)Refusals / Requests;
}
