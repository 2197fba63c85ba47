namespace Canary.Analyzer.Push;

/// <summary>A push to every sidecar: who acknowledged, who did not, and the time from decision to the last acknowledgement.</summary>
internal sealed record PushSummary(long Generation, IReadOnlyList<PushResult> Results, TimeSpan DecisionToLastAck)
{
    /// <summary>
    /// The push this one replaced: refused by sidecars holding another table at that generation or a newer one, so the
    /// same table went out again under <see cref="Generation"/>. Null when nothing was renumbered.
    /// </summary>
    public PushSummary? Renumbered { get; init; }

    public int Acknowledged => Results.Count(r => r.Acknowledged);

    public bool Complete => Results.Count > 0 && Acknowledged == Results.Count;
}
