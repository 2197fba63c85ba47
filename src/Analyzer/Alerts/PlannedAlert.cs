namespace Canary.Analyzer.Alerts;

/// <summary>
/// An alert a run wants to send. <see cref="OncePerStage"/> is set for alerts that must fire at most once per rollout
/// and stage (long hold, split mismatch): they are claimed in PostgreSQL before they are queued.
/// </summary>
internal sealed record PlannedAlert(AlertEvent Event, AlertStageKey? OncePerStage);
