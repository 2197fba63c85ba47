namespace Canary.Analyzer.Alerts;

/// <summary>The stage an at-most-once alert belongs to; its start time tells a restarted rollout's stage apart.</summary>
internal readonly record struct AlertStageKey(int StageIndex, DateTimeOffset StageStartedAt);
