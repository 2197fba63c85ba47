using System.Text.Json.Serialization;

namespace Canary.Analyzer.Rollouts;

/// <summary>
/// A quality guard's judge figures in a decision record, both arms together: what the judge was asked in the window,
/// how much of it failed or was unparseable, and for the paired guard the canary's wins, ties and losses.
/// </summary>
internal sealed record QualityGuardJson
{
    public long Attempted { get; init; }

    public long Failed { get; init; }

    public long Unparseable { get; init; }

    /// <summary>True when more than half of <see cref="Attempted"/> was unusable: the guard held.</summary>
    public bool JudgeUnavailable { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public long? Wins { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public long? Ties { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public long? Losses { get; init; }
}
