namespace Canary.Analyzer.Decisions;

/// <summary>
/// One rollout at one look: where it is in its schedule, when the current weight was applied, the evidence of both arms
/// over the window the engine asked for (see <see cref="DecisionEngine.WindowStart"/>), and the previous look's
/// sequential state.
/// </summary>
internal sealed record DecisionInput
{
    public required int StageIndex { get; init; }

    /// <summary>When the current weight was applied (start of the stage).</summary>
    public required DateTimeOffset StageStartedAt { get; init; }

    public required ArmEvidence Canary { get; init; }

    public required ArmEvidence Stable { get; init; }

    /// <summary>Null at the first look of a rollout.</summary>
    public SequentialState? Previous { get; init; }
}
