namespace Canary.Analyzer.MeshWeights;

/// <summary>
/// What one mesh-weight sync did to one VirtualService: which rollout it follows, its canary weight before and the
/// weight the rollout has now (percent), whether it was patched, or why it could not be (<see cref="Error"/>).
/// </summary>
internal sealed record MeshWeightResult(VirtualServiceRef Service, string? Rollout, int? FromPercent, int? ToPercent, bool Patched, string? Error)
{
    public bool Failed => Error is not null;
}
