namespace Canary.Sidecar.Routing;

/// <summary>Source of the per-request choice for requests without a user key; injected so tests are deterministic.</summary>
internal interface IRequestRandom
{
    /// <summary>A uniform bucket in 0..9 999. Must be safe to call from many threads at once and must not allocate.</summary>
    int NextBucket();
}
