using Canary.Analyzer.Push;

namespace Canary.Analyzer.Rollouts;

/// <summary>What one analyzer run decided and did.</summary>
internal sealed record RunOutcome(IReadOnlyList<DecisionRecord> Decisions, long? NewGeneration, PushSummary? Push)
{
    public bool RolledBack => Decisions.Any(d => d.Action == "rollback");
}
