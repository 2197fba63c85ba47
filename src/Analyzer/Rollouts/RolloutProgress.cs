using Canary.Analyzer.Decisions;
using Canary.Contracts.Rollouts;

namespace Canary.Analyzer.Rollouts;

/// <summary>One rollout's lifecycle row: stage, when it began, its schedule and the sequential-test state between looks.</summary>
internal sealed record RolloutProgress
{
    public required string Rollout { get; init; }

    public required RolloutStatus Status { get; init; }

    public required int StageIndex { get; init; }

    public required DateTimeOffset StageStartedAt { get; init; }

    public required DecisionOptions Options { get; init; }

    public SequentialState? Sequential { get; init; }

    /// <summary>The salt the rollout's table entry was started with (kept in its stored options); null for older rows.</summary>
    public string? Salt { get; init; }

    public DateTimeOffset? ArchiveAt { get; init; }

    /// <summary>Since when the verdict has been "hold" without interruption (for the long-hold alert).</summary>
    public DateTimeOffset? HoldSince { get; init; }

    public int CurrentWeightBasisPoints => Status switch
    {
        RolloutStatus.RolledBack or RolloutStatus.Testers => 0,
        // Completing may skip the last stages (clearly better canary), and the table it writes is at 100 %; once
        // finished, the former canary is the stable version and gets every request.
        RolloutStatus.Completed or RolloutStatus.Finished => RolloutDefinition.MaxWeightBasisPoints,
        _ => Options.StageWeightsBasisPoints[StageIndex],
    };
}
