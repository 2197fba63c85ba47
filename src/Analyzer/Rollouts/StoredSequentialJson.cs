using System.Text.Json.Serialization;

namespace Canary.Analyzer.Rollouts;

/// <summary>The sequential-test state carried between looks (<c>rollout_progress.sequential_json</c>).</summary>
internal sealed record StoredSequentialJson
{
    [JsonRequired]
    public int StageIndex { get; init; }

    /// <summary>Per guard key, in the order the engine keeps them.</summary>
    [JsonRequired]
    public IReadOnlyDictionary<string, StoredGuardStateJson> Guards { get; init; } = new Dictionary<string, StoredGuardStateJson>();

    [JsonRequired]
    public IReadOnlyList<string> WithinInEarlierStage { get; init; } = [];
}
