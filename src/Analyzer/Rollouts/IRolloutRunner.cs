namespace Canary.Analyzer.Rollouts;

/// <summary>One look at every running rollout, deciding and acting; <see cref="RolloutRunner"/> against PostgreSQL.</summary>
internal interface IRolloutRunner
{
    Task<RunOutcome> RunOnceAsync(bool dryRun, CancellationToken cancellationToken);
}
