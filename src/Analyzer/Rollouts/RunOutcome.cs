using Canary.Analyzer.Push;

namespace Canary.Analyzer.Rollouts;

/// <summary>What one analyzer run decided and did.</summary>
internal sealed record RunOutcome(IReadOnlyList<DecisionRecord> Decisions, long? NewGeneration, PushSummary? Push)
{
    /// <summary>What each automatic look saw besides its record (the stage judged, a split mismatch); alerts use it.</summary>
    public IReadOnlyList<RolloutLook> Looks { get; init; } = [];

    /// <summary>What the run read of the sidecars' tables and tripwire trips before deciding.</summary>
    public Canary.Analyzer.Tripwire.TripwireScan Tripwire { get; init; } = Canary.Analyzer.Tripwire.TripwireScan.None;

    /// <summary>Mesh-weight mode: what each configured VirtualService got after the run; empty when the mode is off.</summary>
    public IReadOnlyList<Canary.Analyzer.MeshWeights.MeshWeightResult> MeshWeights { get; init; } = [];

    /// <summary>The judging pass before the analysis, when a judge is configured; null otherwise.</summary>
    public Canary.Analyzer.Quality.JudgingSummary? Judging { get; init; }

    public bool RolledBack => Decisions.Any(d => d.Action == "rollback");
}
