namespace Canary.Analyzer.Push;

/// <summary>A push to every sidecar: who acknowledged, who did not, and the time from decision to the last acknowledgement.</summary>
internal sealed record PushSummary(long Generation, IReadOnlyList<PushResult> Results, TimeSpan DecisionToLastAck)
{
    public int Acknowledged => Results.Count(r => r.Acknowledged);

    public bool Complete => Results.Count > 0 && Acknowledged == Results.Count;
}
