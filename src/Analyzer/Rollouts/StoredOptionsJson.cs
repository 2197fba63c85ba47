using System.Text.Json.Serialization;

namespace Canary.Analyzer.Rollouts;

/// <summary>A rollout's schedule settings as stored with its progress (<c>rollout_progress.options_json</c>).</summary>
internal sealed record StoredOptionsJson
{
    [JsonRequired]
    public IReadOnlyList<int> StageWeightsBasisPoints { get; init; } = [];

    [JsonRequired]
    public IReadOnlyList<double> MinimumStageDurationsSeconds { get; init; } = [];

    [JsonRequired]
    public double MinimumStageDurationFloorSeconds { get; init; }

    [JsonRequired]
    public long MinimumSamplesPerArm { get; init; }

    [JsonRequired]
    public double WarmUpSeconds { get; init; }

    /// <summary>Always written; absent from options stored before guards were kept, which then get the default guards.</summary>
    public IReadOnlyList<StoredGuardJson>? Guards { get; init; }

    /// <summary>The salt the rollout's table entry was started with; absent from options stored before it was kept.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Salt { get; init; }
}
