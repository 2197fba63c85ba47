namespace Canary.Analyzer.Rollouts;

/// <summary>
/// What one automatic look saw of a rollout besides its decision record: the stage it judged (index, start, minimum
/// duration; null for the last stage) and, when the observed split is significantly off the configured weight, a
/// one-line description of the mismatch; when a quality guard held because its judge was unavailable, a one-line
/// description of that.
/// </summary>
internal sealed record RolloutLook(
    string Rollout,
    string Action,
    int StageIndex,
    DateTimeOffset StageStartedAt,
    TimeSpan? MinimumStageDuration,
    string? SplitMismatch,
    string? JudgeUnavailable = null);
