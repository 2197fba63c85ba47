using Canary.Contracts.Rollouts;

namespace Canary.Analyzer.Rollouts;

/// <summary>What <c>finish</c> did: the run (table, record, push), the rollout's entry before and after, and its archive date.</summary>
internal sealed record FinishOutcome(RunOutcome Run, RolloutDefinition Completed, RolloutDefinition Finished, DateTimeOffset? ArchiveAt);
