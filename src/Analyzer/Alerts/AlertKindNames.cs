namespace Canary.Analyzer.Alerts;

/// <summary>Stable wire names and human titles of <see cref="AlertKind"/>.</summary>
internal static class AlertKindNames
{
    public static string WireName(AlertKind kind) => kind switch
    {
        AlertKind.Rollback => "rollback",
        AlertKind.Promotion => "promotion",
        AlertKind.Completion => "completion",
        AlertKind.LongHold => "long_hold",
        AlertKind.SplitMismatch => "split_mismatch",
        AlertKind.JudgeUnavailable => "judge_unavailable",
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
    };

    public static string Title(AlertKind kind) => kind switch
    {
        AlertKind.Rollback => "Rolled back",
        AlertKind.Promotion => "Promoted",
        AlertKind.Completion => "Completed",
        AlertKind.LongHold => "On hold too long",
        AlertKind.SplitMismatch => "Traffic split mismatch",
        AlertKind.JudgeUnavailable => "Quality judge unavailable",
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
    };
}
