using Canary.Analyzer.Preflight;

namespace Canary.Analyzer.Quality;

/// <summary>
/// Both versions of one opted-in rollout, as its newest preflight with stored endpoints asked them, with the API keys
/// from the analyzer's settings. Only samples of these two subsets are paired: a sample of another version (a rollout
/// started again with a new canary, say) waits for a preflight of that version.
/// </summary>
internal sealed record PairEndpoints(string Rollout, ModelEndpoint Stable, ModelEndpoint Canary)
{
    /// <summary>The version that did not answer a sample of <paramref name="arm"/>.</summary>
    public ModelEndpoint Other(string arm) => arm == "canary" ? Stable : Canary;
}
