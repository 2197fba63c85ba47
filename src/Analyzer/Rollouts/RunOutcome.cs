using Canary.Analyzer.Push;

namespace Canary.Analyzer.Rollouts;

/// <summary>What one analyzer run decided and did.</summary>
internal sealed record RunOutcome(IReadOnlyList<DecisionRecord> Decisions, long? NewGeneration, PushSummary? Push)
{
    /// <summary>What each automatic look saw besides its record (the stage judged, a split mismatch); alerts use it.</summary>
    public IReadOnlyList<RolloutLook> Looks { get; init; } = [];

    public bool RolledBack => Decisions.Any(d => d.Action == "rollback");
}
