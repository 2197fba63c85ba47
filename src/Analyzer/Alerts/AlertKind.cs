namespace Canary.Analyzer.Alerts;

/// <summary>What happened to a rollout that someone should hear about.</summary>
internal enum AlertKind
{
    Rollback,
    Promotion,
    Completion,

    /// <summary>The rollout has been on hold longer than the configured limit (not enough samples or no verdict).</summary>
    LongHold,

    /// <summary>The observed stable/canary split differs significantly from the configured weight.</summary>
    SplitMismatch,

    /// <summary>A quality guard holds because the judge's answers in the window are mostly failed or unparseable.</summary>
    JudgeUnavailable,
}
