namespace Canary.Analyzer.Push;

/// <summary>A push to every sidecar: who acknowledged, who did not, and the time from decision to the last acknowledgement.</summary>
internal sealed record PushSummary(long Generation, IReadOnlyList<PushResult> Results, TimeSpan DecisionToLastAck)
{
    /// <summary>
    /// The push this one replaced: refused by sidecars holding another table at that generation or a newer one, so the
    /// same table went out again under <see cref="Generation"/>. Null when nothing was renumbered.
    /// </summary>
    public PushSummary? Renumbered { get; init; }

    /// <summary>
    /// The push this one replaced because it was withheld from sidecars whose tripwire had rolled back a rollout that
    /// table kept running: the trips were recorded (<see cref="TripDecisions"/>), those rollouts rolled back, and the
    /// resulting table went out under <see cref="Generation"/>. Null when nothing was withheld.
    /// </summary>
    public PushSummary? Withheld { get; init; }

    /// <summary>The trips' decision records written between <see cref="Withheld"/> and this push.</summary>
    public IReadOnlyList<Canary.Analyzer.Rollouts.DecisionRecord> TripDecisions { get; init; } = [];

    /// <summary>The trip decisions of this push and of every push it replaced, oldest first.</summary>
    public IReadOnlyList<Canary.Analyzer.Rollouts.DecisionRecord> AllTripDecisions =>
        [.. Renumbered?.AllTripDecisions ?? [], .. Withheld?.AllTripDecisions ?? [], .. TripDecisions];

    public int Acknowledged => Results.Count(r => r.Acknowledged);

    public bool Complete => Results.Count > 0 && Acknowledged == Results.Count;
}
