namespace Canary.Analyzer.Rollouts;

/// <summary>A command named a rollout the analyzer does not track.</summary>
internal sealed class RolloutNotFoundException(string rollout)
    : Exception($"unknown rollout \"{rollout}\": it was never started with 'canary-analyzer start'")
{
    public string Rollout { get; } = rollout;
}
